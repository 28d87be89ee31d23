"""Purchasing in the Django admin: suppliers are edited here; purchase orders are read-only records with their
lines and timeline inline (they change only through oms.purchasing.services: the console and the API).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from oms.common.admin import ReadOnlyInline, money_column
from oms.purchasing.models import PurchaseOrder, PurchaseOrderEvent, PurchaseOrderLine, Supplier
from oms.purchasing.states import PurchaseOrderStatus


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "contact_name", "phone", "lead_days", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name", "contact_name")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: purchase orders keep pointing at their supplier


class ReadOnlyPurchaseOrderInline(ReadOnlyInline):
    parent_view_permission = "purchasing.view_purchaseorder"


class PurchaseOrderLineInline(ReadOnlyPurchaseOrderInline):
    model = PurchaseOrderLine
    fields = ("sku", "quantity", "received_quantity", "unit_cost")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("sku")


def status_label(status: str) -> str:
    """A status's label in the active language (a status no longer in the table as its code)."""
    return str(PurchaseOrderStatus(status).label) if status in PurchaseOrderStatus.values else status


class PurchaseOrderEventInline(ReadOnlyPurchaseOrderInline):
    model = PurchaseOrderEvent
    fields = ("created_at", "from_label", "to_label", "actor", "note")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("from status"))
    def from_label(self, event: PurchaseOrderEvent) -> str:
        return status_label(event.from_status)

    @admin.display(description=_("to status"))
    def to_label(self, event: PurchaseOrderEvent) -> str:
        return status_label(event.to_status)


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = (
        *("po_no", "supplier", "warehouse", "status"),
        money_column("total_cost", _("Total cost")),
        *("expected_at", "created_at"),
    )
    list_filter = ("status", "supplier", "warehouse")
    list_select_related = ("supplier", "warehouse")
    search_fields = ("^po_no", "=supplier__code")
    search_help_text = _("Start of a PO number or an exact supplier code")
    list_per_page = 50
    inlines = [PurchaseOrderLineInline, PurchaseOrderEventInline]
    fields = (
        *("po_no", "supplier", "warehouse", "status", "currency", "total_cost", "note", "created_by"),
        *("created_at", "ordered_at", "expected_at", "received_at", "updated_at"),
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
