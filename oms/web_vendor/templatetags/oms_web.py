"""Template helpers of the console and the storefront: status pills, money, durations.

People read display names, never codes: a status is shown by the label of its choices (``{% status_pill
order.status "order" %}``, ``{{ e.to_status|status_label:"order" }}``), a payment method and a carrier by their
names. Money is ``{{ amount|money }}`` (oms.common.money.format_money).
"""

from __future__ import annotations

from django import template
from django.db.models import TextChoices
from django.utils.html import format_html
from django.utils.translation import gettext as _

from oms.aftersales.states import ReturnStatus
from oms.common.money import format_money
from oms.orders.states import OrderStatus
from oms.payments.models import Payment, PaymentIssue, Refund
from oms.purchasing.states import PurchaseOrderStatus
from oms.regions.regions import place_line
from oms.shipping.carriers import carrier_name
from oms.shipping.models import NOT_SHIPPED_LABEL, ShipmentStatus

register = template.Library()

STATUS_KINDS: dict[str, type[TextChoices]] = {
    "order": OrderStatus,
    "shipment": ShipmentStatus,
    "return": ReturnStatus,
    "purchase_order": PurchaseOrderStatus,
    "payment": Payment.Status,
    "refund": Refund.Status,
}

register.filter("money", format_money)


@register.filter
def status_label(status: str, kind: str) -> str:
    """The display name of ``status`` among the statuses of ``kind`` (``order``, ``shipment``, ``return``...)."""
    try:
        return STATUS_KINDS[kind](status).label
    except (KeyError, ValueError):
        return (status or "").replace("_", " ").capitalize()


@register.simple_tag
def status_pill(status: str, kind: str) -> str:
    return format_html('<span class="status status-{}">{}</span>', status, status_label(status, kind))


@register.simple_tag
def shipment_pill(shipment) -> str:
    """A parcel's badge; one that never left because its order was cancelled says so instead of "Pending"."""
    if shipment.will_not_ship:
        return format_html('<span class="status status-cancelled">{}</span>', NOT_SHIPPED_LABEL)
    return status_pill(shipment.status, "shipment")


@register.filter
def payment_method_label(method: str) -> str:
    if not method:
        return "–"
    try:
        return str(Payment.Method(method).label)
    except ValueError:
        return method


@register.filter
def issue_kind(kind: str) -> str:
    """The display name of a payment issue's kind (an unknown kind humanised, never shown as a bare code)."""
    return str(PaymentIssue.KIND_LABELS.get(kind) or (kind or "").replace("_", " ").capitalize())


@register.filter(name="carrier_name")
def carrier_label(code: str) -> str:
    return carrier_name(code)


@register.filter
def hours(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 48:
        return _("%(hours).1f h") % {"hours": value}
    return _("%(days).1f days") % {"days": value / 24}


@register.filter
def address_line(address: dict | None) -> str:
    """省 市 区 详细地址 邮政编码 (oms.regions.regions.place_line); the recipient and phone are shown apart."""
    return place_line(address) if isinstance(address, dict) else ""


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key) if mapping else None
