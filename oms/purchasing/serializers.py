"""API shapes of suppliers and purchase orders: strict inputs, explicit outputs."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from rest_framework import serializers

from oms.common.api import StrictSerializer
from oms.purchasing.models import MAX_LINE_QUANTITY
from oms.purchasing.services import MAX_PO_LINES
from oms.purchasing.states import PurchaseOrderStatus


def _unique_skus(lines: list[dict]) -> list[dict]:
    codes = [line["sku"] for line in lines]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise serializers.ValidationError(
            _("Each SKU may appear once; repeated: %(skus)s.") % {"skus": ", ".join(duplicates)}
        )
    return lines


class SupplierIn(StrictSerializer):
    code = serializers.RegexField(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,31}$", max_length=32)
    name = serializers.CharField(max_length=100)
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    lead_days = serializers.IntegerField(min_value=1, max_value=365, required=False)


class SupplierOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    contact_name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    lead_days = serializers.IntegerField()
    is_active = serializers.BooleanField()


class PurchaseLineIn(StrictSerializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)
    # Empty: the SKU's price × OMS_PURCHASE_COST_RATIO.
    unit_cost = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.00"), required=False, allow_null=True, default=None
    )


class CreatePurchaseOrderIn(StrictSerializer):
    supplier = serializers.CharField(max_length=32)
    warehouse = serializers.CharField(max_length=32)
    # many=True hands these to the ListSerializer; the stubs type only the child's arguments.
    lines = PurchaseLineIn(many=True, allow_empty=False, max_length=MAX_PO_LINES)  # type: ignore[call-arg]
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    expected_at = serializers.DateField(required=False, allow_null=True, default=None)

    def validate_lines(self, lines: list[dict]) -> list[dict]:
        return _unique_skus(lines)


class PurchaseOrderSubmitIn(StrictSerializer):
    expected_at = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ReceiptLineIn(StrictSerializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


class PurchaseOrderReceiveIn(StrictSerializer):
    # many=True hands these to the ListSerializer; the stubs type only the child's arguments.
    lines = ReceiptLineIn(many=True, allow_empty=False, max_length=MAX_PO_LINES)  # type: ignore[call-arg]
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate_lines(self, lines: list[dict]) -> list[dict]:
        return _unique_skus(lines)


class PurchaseOrderCancelIn(StrictSerializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PurchaseOrderCloseIn(StrictSerializer):
    reason = serializers.CharField(max_length=200)


class PurchaseOrderFiltersIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=PurchaseOrderStatus.choices, required=False)
    supplier = serializers.CharField(max_length=32, required=False)
    warehouse = serializers.CharField(max_length=32, required=False)


class PurchaseOrderLineOut(serializers.Serializer):
    sku = serializers.CharField(source="sku.code")
    name = serializers.CharField(source="sku.name")
    quantity = serializers.IntegerField()
    received_quantity = serializers.IntegerField()
    remaining = serializers.IntegerField()
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2)
    line_cost = serializers.DecimalField(max_digits=14, decimal_places=2)


class PurchaseOrderEventOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor.username", default=None)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class PurchaseOrderOut(serializers.Serializer):
    po_no = serializers.CharField()
    status = serializers.CharField()
    supplier = serializers.CharField(source="supplier.code")
    warehouse = serializers.CharField(source="warehouse.code")
    currency = serializers.CharField()
    total_cost = serializers.DecimalField(max_digits=14, decimal_places=2)
    note = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username", default=None)
    created_at = serializers.DateTimeField()
    ordered_at = serializers.DateTimeField()
    expected_at = serializers.DateField()
    received_at = serializers.DateTimeField()
    lines = PurchaseOrderLineOut(many=True)
    events = PurchaseOrderEventOut(many=True)
