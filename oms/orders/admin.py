"""Orders in the Django admin: read-only records, changed only by actions that call the order services.

Orders are placed through the API (``place_order``), so the admin cannot add, edit or delete them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from oms.common.admin import ReadOnlyInline, money_column
from oms.common.errors import OmsError
from oms.common.request_types import AuthenticatedHttpRequest
from oms.orders.models import Order, OrderEvent, OrderItem
from oms.orders.states import OrderStatus
from oms.payments import services as payment_services

# Beyond this many failures one summary line replaces the rest, so a big selection cannot flood the page.
MAX_ERROR_MESSAGES = 10
ADDRESS_LINES = {
    "name": _("Recipient"),
    "phone": _("Mobile"),
    "province": _("Province"),
    "city": _("City"),
    "district": _("District"),
    "address": _("Street address"),
    "postal_code": _("Postal code"),
}


class ReadOnlyOrderInline(ReadOnlyInline):
    parent_view_permission = "orders.view_order"


class OrderItemInline(ReadOnlyOrderInline):
    model = OrderItem
    fields = ("sku_code", "name", "unit_price", "quantity", "line_total")
    readonly_fields = fields


def status_label(status: str) -> str:
    """A status's label in the active language (a status no longer in the table as its code)."""
    return str(OrderStatus(status).label) if status in OrderStatus.values else status


class OrderEventInline(ReadOnlyOrderInline):
    model = OrderEvent
    fields = ("created_at", "from_label", "to_label", "actor", "reason")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrderEvent]:
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("from status"))
    def from_label(self, event: OrderEvent) -> str:
        return status_label(event.from_status)

    @admin.display(description=_("to status"))
    def to_label(self, event: OrderEvent) -> str:
        return status_label(event.to_status)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("order_no", "customer", "status", money_column("total_amount", _("Total")), "created_at")
    list_filter = ("status", "created_at")
    list_select_related = ("customer",)
    search_fields = ("^order_no", "=customer__username")
    search_help_text = _("Start of an order number, or an exact username")
    # Counting every order for "x of y" is a full scan on a big table.
    show_full_result_count = False
    list_per_page = 50
    inlines = [OrderItemInline, OrderEventInline]
    actions = ["cancel_selected", "record_payment_offline"]
    fieldsets = [
        (None, {"fields": ("order_no", "customer", "status", "idempotency_key")}),
        (_("Amounts"), {"fields": ("currency", "subtotal", "shipping_fee", "total_amount")}),
        (pgettext_lazy("admin section", "Shipping"), {"fields": ("shipping_to",)}),
        (_("Times"), {"fields": ("created_at", "expires_at", "paid_at", "updated_at")}),
    ]
    readonly_fields = (
        *("order_no", "customer", "status", "idempotency_key", "currency", "subtotal", "shipping_fee"),
        *("total_amount", "shipping_to", "created_at", "expires_at", "paid_at", "updated_at"),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False

    def has_manage_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("orders.manage_orders"))

    @admin.display(description=_("ship to"))
    def shipping_to(self, obj: Order) -> SafeString:
        address = obj.shipping_address or {}
        rows = [(label, address[key]) for key, label in ADDRESS_LINES.items() if address.get(key)]
        return format_html_join("", "<div>{}: {}</div>", rows)

    @admin.action(description=_("Cancel selected unpaid orders"), permissions=["manage"])
    def cancel_selected(self, request: AuthenticatedHttpRequest, queryset: QuerySet[Order]) -> None:
        """Unpaid orders only: a paid one is cancelled on its console page, which refunds it (one at a time)."""
        self._apply_to_each(
            request,
            queryset,
            lambda order: payment_services.cancel_unpaid_order(
                order=order, actor=request.user, reason=gettext("Cancelled by staff in the admin"), by_staff=True
            ),
            done=lambda n: ngettext("%(count)d order cancelled.", "%(count)d orders cancelled.", n) % {"count": n},
        )

    @admin.action(description=_("Record offline payment"), permissions=["manage"])
    def record_payment_offline(self, request: AuthenticatedHttpRequest, queryset: QuerySet[Order]) -> None:
        self._apply_to_each(
            request,
            queryset,
            lambda order: payment_services.record_offline_payment(order=order, actor=request.user, reference="admin"),
            done=lambda n: (
                ngettext("%(count)d order marked as paid.", "%(count)d orders marked as paid.", n) % {"count": n}
            ),
        )

    def _apply_to_each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Order],
        change: Callable[[Order], Order],
        done: Callable[[int], str],
    ) -> None:
        """Run one service call per order (each its own transaction); a refusal skips only that order."""
        succeeded, failures = 0, list[str]()
        for order in queryset.order_by("pk"):
            try:
                change(order)
                succeeded += 1
            except OmsError as exc:
                failures.append(f"{order.order_no}: {exc.message}")
        if succeeded:
            self.message_user(request, done(succeeded), level=messages.SUCCESS)
        for failure in failures[:MAX_ERROR_MESSAGES]:
            self.message_user(request, failure, level=messages.ERROR)
        if len(failures) > MAX_ERROR_MESSAGES:
            more = len(failures) - MAX_ERROR_MESSAGES
            refused = ngettext("… and %(count)d more order refused.", "… and %(count)d more orders refused.", more)
            self.message_user(request, refused % {"count": more}, level=messages.ERROR)
