"""Template helpers of the console and the storefront: status pills, money, durations."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def status_label(status: str) -> str:
    return (status or "").replace("_", " ").capitalize()


@register.simple_tag
def status_pill(status: str) -> str:
    return format_html('<span class="status status-{}">{}</span>', status, status_label(status))


@register.filter
def money(value: Decimal | float | int | str | None) -> str:
    if value is None or value == "":
        return "–"
    return f"¥{Decimal(value):,.2f}"


@register.filter
def hours(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


@register.filter
def address_line(address: dict | None) -> str:
    if not address:
        return ""
    parts = [address.get(key, "") for key in ("province", "city", "district", "address", "postal_code")]
    return ", ".join(part for part in parts if part)


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key) if mapping else None
