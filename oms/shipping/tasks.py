"""Celery entry points: thin wrappers that call shipping services."""

from __future__ import annotations

from celery import shared_task

from oms.shipping import inbound, services, simulator


@shared_task
def run_carrier_simulator() -> int:
    return simulator.advance_sim_parcels()


@shared_task
def poll_carriers() -> int:
    return inbound.poll_carriers()


@shared_task
def auto_complete_orders() -> int:
    return services.auto_complete_orders()
