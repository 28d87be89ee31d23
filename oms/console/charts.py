"""Chart specs for the pages: what web/charts.js draws, plus the same numbers as table rows.

A spec may say ``"autoSkip": False`` to keep every category label on the axis (charts.js tilts them to fit)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from oms.common.money import format_money
from oms.planning.models import Forecast
from oms.planning.selectors import forecast_chart as forecast_series
from oms.reports.selectors import ExceptionKind, LeadTime, MethodSales, Sales, TopItem

Spec = dict[str, Any]


def period_label(start: date, group: str) -> str:
    if group == "month":
        return start.strftime("%Y-%m")
    if group == "week":
        return _("week of %(day)s") % {"day": start.isoformat()}
    return start.isoformat()


def sales_chart(periods: list[Sales], group: str = "day") -> Spec:
    return {
        "type": "bar",
        "axis": _("Period"),
        "labels": [period_label(p.start, group) for p in periods],
        "datasets": [
            # Decimals reach the page as JSON strings ("130.00"), which Chart.js reads as numbers: no float here.
            {"label": _("Sales (¥)"), "data": [p.gross for p in periods]},
            {"label": _("Refunds (¥)"), "data": [p.refunds for p in periods]},
            {"label": _("Orders"), "data": [p.orders for p in periods], "type": "line", "axis": "y2"},
        ],
        "rows": [
            [period_label(p.start, group), format_money(p.gross), format_money(p.refunds), p.orders] for p in periods
        ],
    }


def customers_chart(periods: list[Sales], group: str) -> Spec:
    return {
        "type": "bar",
        "axis": _("Period"),
        "labels": [period_label(p.start, group) for p in periods],
        "datasets": [
            {"label": _("Orders from new customers"), "data": [p.first_orders for p in periods]},
            {"label": _("Orders from returning customers"), "data": [p.returning_orders for p in periods]},
        ],
        "rows": [[period_label(p.start, group), p.first_orders, p.returning_orders] for p in periods],
    }


def methods_chart(split: list[MethodSales]) -> Spec:
    return {
        "type": "doughnut",
        "axis": _("Payment method"),
        "labels": [row.label for row in split],
        "datasets": [{"label": _("Sales (¥)"), "data": [row.gross for row in split]}],
        "rows": [[row.label, format_money(row.gross)] for row in split],
    }


def top_chart(top: list[TopItem], *, by: str, products: bool = False) -> Spec:
    revenue = by == "revenue"
    return {
        "type": "bar",
        "horizontal": True,
        "axis": _("Product") if products else _("SKU"),
        "labels": [row.name if products else row.code for row in top],
        "datasets": [
            {
                "label": _("Revenue (¥)") if revenue else _("Units sold"),
                "data": [row.revenue if revenue else row.units for row in top],
            }
        ],
        "rows": [
            [row.name if products else row.code, format_money(row.revenue) if revenue else row.units] for row in top
        ],
    }


def stage_label(stage: str) -> str:
    return {
        "to_pay": _("Placed → paid"),
        "to_ship": _("Paid → shipped"),
        "to_deliver": _("Shipped → delivered (parcels)"),
    }[stage]


def hours(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(f"{value:.1f}")


def lead_time_chart(totals: dict[str, LeadTime]) -> Spec:
    stages = list(totals.values())
    return {
        "type": "bar",
        "axis": _("Step"),
        # Few bars with long labels: Chart.js would drop every other label to avoid overlap; show all, tilted.
        "autoSkip": False,
        "labels": [stage_label(t.stage) for t in stages],
        "datasets": [
            {"label": _("Median (hours)"), "data": [hours(t.median_hours) for t in stages]},
            {"label": _("p90 (hours)"), "data": [hours(t.p90_hours) for t in stages]},
        ],
        "rows": [[stage_label(t.stage), hours(t.median_hours) or "–", hours(t.p90_hours) or "–"] for t in stages],
    }


def exceptions_chart(kinds: list[ExceptionKind], labels: list[str], kind_label: Any) -> Spec:
    return {
        "type": "bar",
        "axis": _("Kind"),
        "autoSkip": False,
        "labels": [kind_label(k.kind) for k in kinds],
        "datasets": [{"label": label, "data": [k.by_age[i] for k in kinds]} for i, label in enumerate(labels)],
        "rows": [[kind_label(k.kind), *k.by_age] for k in kinds],
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
