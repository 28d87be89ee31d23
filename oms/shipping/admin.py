"""Shipments in the Django admin: read-only records (lines, status events and tracking timeline inline).

Shipments change only through the shipping services (the API's confirm, ship and reship, and carrier events).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from oms.common.admin import ReadOnlyInline
from oms.shipping.models import Shipment, ShipmentEvent, ShipmentLine, TrackingEvent


class ReadOnlyShipmentInline(ReadOnlyInline):
    parent_view_permission = "shipping.view_shipment"


class ShipmentLineInline(ReadOnlyShipmentInline):
    model = ShipmentLine
    fields = ("sku_code", "quantity")
    readonly_fields = fields


class TrackingEventInline(ReadOnlyShipmentInline):
    model = TrackingEvent
    fields = ("occurred_at", "status", "location", "description", "applied", "carrier_event_id", "received_at")
    readonly_fields = fields


class ShipmentEventInline(ReadOnlyShipmentInline):
    model = ShipmentEvent
    fields = ("created_at", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = ("id", "order", "warehouse", "status", "carrier", "tracking_no", "shipped_at", "delivered_at")
    list_filter = ("status", "carrier", "warehouse")
    list_select_related = ("order", "warehouse")
    search_fields = ("=tracking_no", "^order__order_no")
    search_help_text = _("An exact tracking number, or the start of an order number")
    show_full_result_count = False
    list_per_page = 50
    inlines = [ShipmentLineInline, ShipmentEventInline, TrackingEventInline]
    fields = (
        *("order", "warehouse", "status", "carrier", "tracking_no", "replaces", "shipped_by"),
        *("created_at", "shipped_at", "delivered_at", "updated_at"),
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
