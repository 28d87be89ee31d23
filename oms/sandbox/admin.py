"""Read-mostly admin pages, so a demo can show what the "Alipay" side saw and sent."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from oms.common.admin import money_column
from oms.sandbox.models import SandboxNotification, SandboxRefund, SandboxTrade


class RefundInline(admin.TabularInline):
    model = SandboxRefund
    extra = 0
    readonly_fields = ["out_request_no", "refund_amount", "refund_reason", "gmt_refund"]
    can_delete = False


@admin.register(SandboxTrade)
class SandboxTradeAdmin(admin.ModelAdmin):
    list_display = [
        "trade_no",
        "out_trade_no",
        "subject",
        money_column("total_amount", _("Total amount")),
        money_column("refunded_amount", _("Refunded amount")),
        "status",
        "gmt_create",
    ]
    list_filter = ["status"]
    search_fields = ["trade_no", "out_trade_no"]
    readonly_fields = [field.name for field in SandboxTrade._meta.fields]
    inlines = [RefundInline]


@admin.register(SandboxNotification)
class SandboxNotificationAdmin(admin.ModelAdmin):
    list_display = ["pk", "trade", "url", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["delivered_at"]
    readonly_fields = ["trade", "url", "params", "attempts", "delivered_at", "last_response", "created_at"]
