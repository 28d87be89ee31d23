"""API shapes of orders: strict inputs, explicit outputs."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from oms.common.api import StrictSerializer
from oms.orders.states import OrderStatus

PHONE_PATTERN = r"^\+?[0-9][0-9 \-]{4,19}$"
POSTAL_CODE_PATTERN = r"^[0-9A-Za-z][0-9A-Za-z \-]{2,9}$"


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
    items = OrderLineIn(many=True, allow_empty=False, max_length=settings.OMS_MAX_ORDER_LINES)
    shipping_address = AddressIn()
    payment_method = serializers.ChoiceField(choices=["alipay", "balance"], required=False, default="")

    def validate_items(self, items: list[dict]) -> list[dict]:
        codes = [item["sku"] for item in items]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise serializers.ValidationError(f"Each SKU may appear once; repeated: {', '.join(duplicates)}.")
        return items


class CancelOrderIn(StrictSerializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class OfflinePaymentIn(StrictSerializer):
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class OrderFiltersIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    created_from = serializers.DateField(required=False)
    created_to = serializers.DateField(required=False)
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
