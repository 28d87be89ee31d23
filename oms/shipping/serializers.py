"""API shapes of shipping. The shipment's own shape is the one orders show (oms.orders.serializers.ShipmentOut)."""

from __future__ import annotations

from rest_framework import serializers

from oms.common.api import StrictSerializer
from oms.orders.serializers import ShipmentOut


class ShipIn(StrictSerializer):
    carrier = serializers.CharField(max_length=32)
    tracking_no = serializers.CharField(max_length=64)


class ShipmentDetailOut(ShipmentOut):
    order_no = serializers.CharField(source="order.order_no")
    order_status = serializers.CharField(source="order.status")
