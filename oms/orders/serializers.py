"""API shapes of orders: strict inputs, explicit outputs."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from oms.common.api import StrictSerializer
from oms.common.validators import filter_date
from oms.orders.states import OrderStatus
from oms.orders.validators import PHONE_PATTERN, POSTAL_CODE_PATTERN

if TYPE_CHECKING:
    from oms.orders.models import Order, OrderEvent, OrderItem


class OrderLineIn(StrictSerializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=settings.OMS_MAX_LINE_QUANTITY)


class AddressIn(StrictSerializer):
    name = serializers.CharField(max_length=50)
    phone = serializers.RegexField(PHONE_PATTERN, error_messages={"invalid": "Enter a phone number of digits."})
    province = serializers.CharField(max_length=50)
    city = serializers.CharField(max_length=50)
    district = serializers.CharField(max_length=50)
    address = serializers.CharField(max_length=200)
    postal_code = serializers.RegexField(POSTAL_CODE_PATTERN, error_messages={"invalid": "Enter a postal code."})


class PlaceOrderIn(StrictSerializer):
    # many=True hands these to the ListSerializer; the stubs type only the child's arguments.
    items = OrderLineIn(many=True, allow_empty=False, max_length=settings.OMS_MAX_ORDER_LINES)  # type: ignore[call-arg]
    shipping_address = AddressIn()
    payment_method = serializers.ChoiceField(choices=["alipay", "balance"], required=False, default="")

    def validate_items(self, items: list[dict]) -> list[dict]:
        codes = [item["sku"] for item in items]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise serializers.ValidationError(
                _("Each SKU may appear once; repeated: %(skus)s.") % {"skus": ", ".join(duplicates)}
            )
        return items


class CancelOrderIn(StrictSerializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class OfflinePaymentIn(StrictSerializer):
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class OrderFiltersIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    created_from = serializers.DateField(required=False, validators=[filter_date])
    created_to = serializers.DateField(required=False, validators=[filter_date])
    order_no = serializers.CharField(max_length=20, required=False)
    customer = serializers.CharField(max_length=150, required=False)
    sku = serializers.CharField(max_length=64, required=False)


class OrderItemOut(serializers.Serializer):
    sku = serializers.CharField(source="sku_code")
    name = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    quantity = serializers.IntegerField()
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2)


class OrderEventOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor.username", default=None)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class OrderOut(serializers.Serializer):
    order_no = serializers.CharField()
    status = serializers.CharField()
    customer = serializers.CharField(source="customer.username")
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=14, decimal_places=2)
    shipping_fee = serializers.DecimalField(max_digits=12, decimal_places=2)
    total_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    items = OrderItemOut(many=True)
    shipping_address = serializers.DictField(child=serializers.CharField())
    payment_method = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField()


class PaymentOut(serializers.Serializer):
    method = serializers.CharField()
    status = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    refunded_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    out_trade_no = serializers.CharField()
    gateway_trade_no = serializers.CharField()
    created_at = serializers.DateTimeField()
    succeeded_at = serializers.DateTimeField()


class RefundOut(serializers.Serializer):
    out_request_no = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.CharField()
    reason = serializers.CharField()
    restock = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField()


class ShipmentLineOut(serializers.Serializer):
    sku = serializers.CharField(source="sku_code")
    quantity = serializers.IntegerField()


class TrackingEventOut(serializers.Serializer):
    status = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    location = serializers.CharField()
    description = serializers.CharField()


class ShipmentOut(serializers.Serializer):
    """A shipment of oms.shipping, read through the order's ``shipments`` relation (orders never import it)."""

    id = serializers.IntegerField()
    warehouse = serializers.CharField(source="warehouse.code")
    status = serializers.CharField()
    carrier = serializers.CharField()
    tracking_no = serializers.CharField(allow_null=True)
    replaces = serializers.IntegerField(source="replaces_id", allow_null=True)
    shipped_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField()
    lines = ShipmentLineOut(many=True)
    events = TrackingEventOut(many=True, source="tracking_events")


class OrderReturnLineOut(serializers.Serializer):
    sku = serializers.CharField(source="sku_code")
    quantity = serializers.IntegerField()


class OrderReturnOut(serializers.Serializer):
    """A return of oms.aftersales, read through the order's ``returns`` relation (orders never import it)."""

    id = serializers.IntegerField()
    status = serializers.CharField()
    reason = serializers.CharField()
    carrier = serializers.CharField()
    tracking_no = serializers.CharField()
    created_at = serializers.DateTimeField()
    lines = OrderReturnLineOut(many=True)


class OrderDetailOut(OrderOut):
    events = OrderEventOut(many=True)
    payments = PaymentOut(many=True)
    refunds = RefundOut(many=True)
    shipments = ShipmentOut(many=True)
    returns = OrderReturnOut(many=True)


# The hottest response of the system is the 201 of a new order. Rendering it through OrderDetailOut costs more CPU
# than the placement's SQL, so it is written out by hand here; a test pins it to OrderDetailOut field for field.
_NEW_ORDER_EMPTY = ("payments", "refunds", "shipments", "returns")


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _moment(value: datetime | None) -> str | None:
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text  # as DRF's DateTimeField renders UTC


def new_order_body(order: Order, *, items: list[OrderItem], event: OrderEvent) -> dict[str, Any]:
    """OrderDetailOut of a just-placed order: its lines, its one event, and nothing paid, shipped or returned."""
    return {
        "order_no": order.order_no,
        "status": order.status,
        "customer": order.customer.username,
        "currency": order.currency,
        "subtotal": _money(order.subtotal),
        "shipping_fee": _money(order.shipping_fee),
        "total_amount": _money(order.total_amount),
        "items": [
            {
                "sku": item.sku_code,
                "name": item.name,
                "unit_price": _money(item.unit_price),
                "quantity": item.quantity,
                "line_total": _money(item.line_total),
            }
            for item in items
        ],
        "shipping_address": {key: str(value) for key, value in order.shipping_address.items()},
        "payment_method": order.payment_method,
        "created_at": _moment(order.created_at),
        "expires_at": _moment(order.expires_at),
        "paid_at": _moment(order.paid_at),
        "events": [
            {
                "from_status": event.from_status,
                "to_status": event.to_status,
                "actor": event.actor.username if event.actor is not None else None,
                "reason": event.reason,
                "created_at": _moment(event.created_at),
            }
        ],
    } | {name: [] for name in _NEW_ORDER_EMPTY}
