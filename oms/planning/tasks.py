"""Celery entry points: thin wrappers that call planning services."""

from __future__ import annotations

from celery import shared_task

from oms.planning import services


@shared_task
def compute_forecasts() -> int:
    """Every active SKU's forecast, for the shop and each active warehouse (daily, OMS_PLANNING_FORECAST_AT)."""
    return sum(run.skus for run in services.compute_all_forecasts())
