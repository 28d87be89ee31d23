"""Chart specs for the pages: what web/charts.js draws, plus the same numbers as table rows.

A spec may say ``"autoSkip": False`` to keep every category label on the axis (charts.js tilts them to fit)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oms.common.money import format_money
from oms.console.selectors import DaySales, LeadTimes, TopSku
from oms.planning.models import Forecast
from oms.planning.selectors import forecast_chart as forecast_series

Spec = dict[str, Any]


def sales_chart(days: list[DaySales]) -> Spec:
    labels = [day.day.strftime("%m-%d") for day in days]
    return {
        "type": "bar",
        "axis": _("Day"),
        "labels": labels,
        "datasets": [
            # Decimals reach the page as JSON strings ("130.00"), which Chart.js reads as numbers: no float here.
            {"label": _("Sales (¥)"), "data": [day.sales for day in days]},
            {"label": _("Refunds (¥)"), "data": [day.refunded for day in days]},
            {"label": _("Orders"), "data": [day.orders for day in days], "type": "line", "axis": "y2"},
        ],
        "rows": [
            [day.day.isoformat(), format_money(day.sales), format_money(day.refunded), day.orders] for day in days
        ],
    }


def status_chart(mix: list[tuple[str, str, int]]) -> Spec:
    return {
        "type": "doughnut",
        "axis": _("Status"),
        "labels": [label for _status, label, _count in mix],
        "datasets": [{"label": _("Orders"), "data": [count for _status, _label, count in mix]}],
        "rows": [[label, count] for _status, label, count in mix],
    }


def top_skus_chart(top: list[TopSku]) -> Spec:
    return {
        "type": "bar",
        "horizontal": True,
        "axis": _("SKU"),
        "labels": [row.sku for row in top],
        "datasets": [{"label": _("Units sold"), "data": [row.units for row in top]}],
        "rows": [[row.sku, row.units] for row in top],
    }


def lead_time_chart(lead: LeadTimes) -> Spec:
    return {
        "type": "bar",
        "axis": _("Paid → shipped"),
        # Few bars with long labels: Chart.js would drop every other label to avoid overlap; show all, tilted.
        "autoSkip": False,
        "labels": [label for label, _count in lead.buckets],
        "datasets": [{"label": _("Orders"), "data": [count for _label, count in lead.buckets]}],
        "rows": [[label, count] for label, count in lead.buckets],
    }


def forecast_chart(forecast: Forecast) -> Spec:
    """Units ordered on past days (bars) and the forecast from the day it was made (a line)."""
    labels, ordered, ahead = forecast_series(forecast)
    return {
        "type": "bar",
        "axis": _("Day"),
        "labels": labels,
        "datasets": [
            {"label": _("Units ordered"), "data": ordered},
            {"label": _("Forecast"), "data": ahead, "type": "line"},
        ],
        "rows": [
            [label, "" if units is None else units, "" if guess is None else f"{guess:.2f}"]
            for label, units, guess in zip(labels, ordered, ahead, strict=True)
        ],
    }
