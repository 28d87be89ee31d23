"""API shapes of planning: a SKU's policy (own, effective, audit) and replenishment suggestions."""

from __future__ import annotations

from rest_framework import serializers

from oms.common.api import StrictSerializer
from oms.purchasing.services import MAX_PO_LINES


def _decimal(max_digits: int, places: int, *, max_value: int | None = None) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=max_digits, decimal_places=places, required=False, allow_null=True, min_value=0, max_value=max_value
    )


class PolicyPatchIn(StrictSerializer):
    """Fields to set; ``null`` clears one (the supplier's value, else the shop default, applies again)."""

    supplier = serializers.CharField(max_length=32, required=False, allow_null=True)
    order_cost = _decimal(12, 2)
    holding_cost = _decimal(12, 2)
    holding_rate = _decimal(5, 4, max_value=10)
    lead_days = serializers.IntegerField(min_value=1, max_value=365, required=False, allow_null=True)
    service_level = _decimal(5, 4, max_value=1)
    pack_size = serializers.IntegerField(min_value=1, max_value=100_000, required=False, allow_null=True)
    min_order_quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, allow_null=True)


class OwnPolicyOut(serializers.Serializer):
    supplier = serializers.CharField(source="supplier.code", allow_null=True, default=None)
    order_cost = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    holding_cost = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    holding_rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    lead_days = serializers.IntegerField(allow_null=True)
    service_level = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    pack_size = serializers.IntegerField(allow_null=True)
    min_order_quantity = serializers.IntegerField(allow_null=True)


class EffectivePolicyOut(serializers.Serializer):
    supplier = serializers.CharField(allow_null=True)
    order_cost = serializers.DecimalField(max_digits=12, decimal_places=2)
    holding_cost = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    holding_rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    lead_days = serializers.IntegerField()
    service_level = serializers.DecimalField(max_digits=5, decimal_places=4)
    pack_size = serializers.IntegerField()
    min_order_quantity = serializers.IntegerField()
    sources = serializers.DictField(child=serializers.CharField())


class PolicyChangeOut(serializers.Serializer):
    field = serializers.CharField()
    old_value = serializers.CharField()
    new_value = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class SkuPlanningOut(serializers.Serializer):
    sku = serializers.CharField()
    own = OwnPolicyOut(allow_null=True)
    effective = EffectivePolicyOut()
    changes = PolicyChangeOut(many=True)


class SuggestionFiltersIn(StrictSerializer):
    warehouse = serializers.CharField(max_length=32, required=False)
    sku = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=MAX_PO_LINES)
    due = serializers.BooleanField(required=False, default=False)  # only SKUs to reorder now
    page = serializers.IntegerField(min_value=1, required=False)
    page_size = serializers.IntegerField(min_value=1, max_value=500, required=False)


class SuggestionOut(serializers.Serializer):
    sku = serializers.CharField(source="code")
    name = serializers.CharField()
    warehouse = serializers.CharField(allow_null=True)
    available = serializers.IntegerField()
    on_order = serializers.IntegerField()
    position = serializers.IntegerField()
    forecast_method = serializers.CharField(source="method", allow_null=True)
    forecast_made_on = serializers.DateField(source="made_on", allow_null=True)
    forecast_mase = serializers.DecimalField(source="mase", max_digits=9, decimal_places=3, allow_null=True)
    daily_demand = serializers.DecimalField(max_digits=12, decimal_places=3)
    lead_days = serializers.IntegerField(source="policy.lead_days")
    lead_demand = serializers.DecimalField(max_digits=14, decimal_places=3)
    safety_stock = serializers.IntegerField()
    reorder_point = serializers.IntegerField()
    eoq = serializers.IntegerField(source="order_quantity", allow_null=True)
    suggested_quantity = serializers.IntegerField(source="quantity")
    reorder_now = serializers.BooleanField()
    stockout_on = serializers.DateField(allow_null=True)
    order_by = serializers.DateField(allow_null=True)


class FromSuggestionsIn(StrictSerializer):
    supplier = serializers.CharField(max_length=32)
    warehouse = serializers.CharField(max_length=32)
    skus = serializers.ListField(child=serializers.CharField(max_length=64), allow_empty=False, max_length=MAX_PO_LINES)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
