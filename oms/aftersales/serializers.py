"""API shapes of returns: strict inputs, explicit outputs."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from oms.aftersales.states import ReturnStatus
from oms.common.api import StrictSerializer


class ReturnLineIn(StrictSerializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=999)


class RequestReturnIn(StrictSerializer):
    # many=True hands these to the ListSerializer; the stubs type only the child's arguments.
    items = ReturnLineIn(many=True, allow_empty=False, max_length=100)  # type: ignore[call-arg]
    reason = serializers.CharField(max_length=200)

    def validate_items(self, items: list[dict]) -> list[dict]:
        codes = [item["sku"] for item in items]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise serializers.ValidationError(
                _("Each SKU may appear once; repeated: %(skus)s.") % {"skus": ", ".join(duplicates)}
            )
        return items


class ApproveIn(StrictSerializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RejectIn(StrictSerializer):
    reason = serializers.CharField(max_length=200)


class CancelIn(StrictSerializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ShipBackIn(StrictSerializer):
    carrier = serializers.CharField(max_length=32)
    tracking_no = serializers.CharField(max_length=64)


class ReceiveIn(StrictSerializer):
    restock = serializers.BooleanField(default=True)


class ReturnFiltersIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReturnStatus.choices, required=False)
    order_no = serializers.CharField(max_length=20, required=False)


class ReturnLineOut(serializers.Serializer):
    sku = serializers.CharField(source="sku_code")
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipment = serializers.IntegerField(source="shipment_id")
    warehouse = serializers.CharField(source="shipment.warehouse.code")


class ReturnEventOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor.username", default=None)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ReturnRefundOut(serializers.Serializer):
    out_request_no = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.CharField()


class ReturnOut(serializers.Serializer):
    id = serializers.IntegerField()
    order_no = serializers.CharField(source="order.order_no")
    customer = serializers.CharField(source="customer.username")
    status = serializers.CharField()
    reason = serializers.CharField()
    lines = ReturnLineOut(many=True)
    carrier = serializers.CharField()
    tracking_no = serializers.CharField()
    restocked = serializers.BooleanField()
    refund = ReturnRefundOut(allow_null=True)
    created_at = serializers.DateTimeField()
    shipped_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField()
    refunded_at = serializers.DateTimeField()
    events = ReturnEventOut(many=True)


class RefundErrorOut(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class ReceivedOut(ReturnOut):
    # Set when the parcel was received but its refund failed: retry with POST /returns/{id}/refund/.
    refund_error = RefundErrorOut(allow_null=True)


class ReturnableOut(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    bought = serializers.IntegerField()
    returnable = serializers.IntegerField()
    window_closes_at = serializers.DateTimeField(allow_null=True)
