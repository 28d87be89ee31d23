"""Returns in the Django admin: read-only records with their lines and timeline inline.

Returns change only through the after-sales services (the API's request, approve, reject, ship, cancel, receive
and refund).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from oms.aftersales.models import ReturnEvent, ReturnLine, ReturnRequest
from oms.common.admin import ReadOnlyInline


class ReadOnlyReturnInline(ReadOnlyInline):
    parent_view_permission = "aftersales.view_returnrequest"


class ReturnLineInline(ReadOnlyReturnInline):
    model = ReturnLine
    fields = ("sku_code", "quantity", "unit_price", "shipment")
    readonly_fields = fields


class ReturnEventInline(ReadOnlyReturnInline):
    model = ReturnEvent
    fields = ("created_at", "from_status", "to_status", "actor", "reason")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("actor")


@admin.register(ReturnRequest)
class ReturnRequestAdmin(admin.ModelAdmin):
    list_display = ("id", "order", "customer", "status", "carrier", "tracking_no", "created_at")
    list_filter = ("status", "created_at")
    list_select_related = ("order", "customer")
    search_fields = ("^order__order_no", "=customer__username", "=tracking_no")
    search_help_text = _("Start of an order number, an exact username or an exact tracking number")
    show_full_result_count = False
    list_per_page = 50
    inlines = [ReturnLineInline, ReturnEventInline]
    fields = (
        *("order", "customer", "status", "reason", "carrier", "tracking_no", "restocked", "refund"),
        *("created_at", "shipped_at", "received_at", "refunded_at", "updated_at"),
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
