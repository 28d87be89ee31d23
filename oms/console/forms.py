"""Console forms: filters and the inputs of order actions. Validation of shape only; services decide the rest."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from oms.aftersales.states import ReturnStatus
from oms.common.validators import filter_date
from oms.inventory.models import Warehouse
from oms.orders.models import Order
from oms.orders.selectors import OrderFilters
from oms.orders.states import OrderStatus
from oms.payments.allowed import RESOLUTIONS
from oms.payments.models import Payment
from oms.planning.models import SkuPolicy
from oms.planning.policy import FIELDS as POLICY_FIELDS
from oms.purchasing.models import MAX_LINE_QUANTITY, PurchaseOrderLine, Supplier
from oms.purchasing.services import MAX_PO_LINES, PurchaseLineInput
from oms.purchasing.states import PurchaseOrderStatus
from oms.reports.selectors import MAX_DAYS as MAX_REPORT_DAYS
from oms.reports.selectors import ReportFilters
from oms.shipping.carriers import carrier_codes, carrier_name


class DateInput(forms.DateInput):
    input_type = "date"


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", _("Any status")), *OrderStatus.choices], required=False, label=_("Status"))
    created_from = forms.DateField(required=False, label=_("Placed from"), widget=DateInput, validators=[filter_date])
    created_to = forms.DateField(required=False, label=_("Placed to"), widget=DateInput, validators=[filter_date])
    customer = forms.CharField(max_length=150, required=False, label=_("Customer"), help_text=_("Username"))
    order_no = forms.CharField(max_length=20, required=False, label=_("Order number"))
    sku = forms.CharField(max_length=64, required=False, label=_("SKU"))

    def filters(self) -> OrderFilters:
        """The selector's filters (an invalid form filters by its valid fields only)."""
        data = getattr(self, "cleaned_data", {})
        return OrderFilters(
            status=data.get("status") or None,
            created_from=data.get("created_from"),
            created_to=data.get("created_to"),
            order_no=(data.get("order_no") or "").strip() or None,
            customer=(data.get("customer") or "").strip() or None,
            sku=(data.get("sku") or "").strip() or None,
        )


class NoInputForm(forms.Form):
    """Actions without inputs (confirm, reship)."""

    def __init__(self, *args, order: Order, **kwargs) -> None:
        super().__init__(*args, **kwargs)


class ShipForm(NoInputForm):
    shipment = forms.IntegerField(widget=forms.HiddenInput, label=_("Shipment"))
    carrier = forms.ChoiceField(choices=(), label=_("Carrier"))
    tracking_no = forms.CharField(max_length=64, label=_("Tracking number"))

    def __init__(self, *args, order: Order, **kwargs) -> None:
        super().__init__(*args, order=order, **kwargs)
        cast(forms.ChoiceField, self.fields["carrier"]).choices = [
            (code, carrier_name(code)) for code in carrier_codes()
        ]


class CancelForm(NoInputForm):
    reason = forms.CharField(
        max_length=200, required=False, label=_("Reason"), help_text=_("Shown on the order's timeline")
    )


class OfflinePaymentForm(NoInputForm):
    reference = forms.CharField(
        max_length=64, required=False, label=_("Reference"), help_text=_("Bank transfer or receipt reference")
    )


# How the console names each way out of an exception (the codes are oms.payments.allowed.RESOLUTIONS).
RESOLUTION_LABELS = {"retry": _("Retry"), "cancel": _("Cancel"), "refund": _("Refund")}


def resolution_label(code: str) -> str:
    return str(RESOLUTION_LABELS.get(code) or code.capitalize())


class ResolveForm(NoInputForm):
    resolution = forms.ChoiceField(
        choices=[(r, RESOLUTION_LABELS.get(r) or r.capitalize()) for r in RESOLUTIONS], label=_("Resolution")
    )
    reason = forms.CharField(max_length=200, label=_("Reason"))


class RefundForm(NoInputForm):
    """Amount (or everything left), reason, and optionally which units come back, to restock them."""

    amount = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        label=_("Amount"),
        help_text=_("Empty: the value of the units below, or everything still refundable"),
    )
    reason = forms.CharField(max_length=200, label=_("Reason"))
    restock = forms.BooleanField(required=False, label=_("Put the returned units back in stock"))

    def __init__(self, *args, order: Order, **kwargs) -> None:
        super().__init__(*args, order=order, **kwargs)
        self.lines = list(order.items.all())
        for item in self.lines:
            self.fields[f"qty_{item.sku_code}"] = forms.IntegerField(
                min_value=0,
                max_value=item.quantity,
                required=False,
                label=gettext("%(sku)s returned (of %(quantity)s)") % {"sku": item.sku_code, "quantity": item.quantity},
            )

    def line_fields(self) -> list[forms.BoundField]:
        return [self[f"qty_{item.sku_code}"] for item in self.lines]

    def items(self) -> list[dict]:
        return [
            {"sku": item.sku_code, "quantity": self.cleaned_data[f"qty_{item.sku_code}"]}
            for item in self.lines
            if self.cleaned_data.get(f"qty_{item.sku_code}")
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("restock") and not self.items():
            raise forms.ValidationError(gettext("Say how many units of which SKU come back to restock them."))
        return data


class ReturnFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *ReturnStatus.choices], required=False, label=_("Status")
    )
    order_no = forms.CharField(max_length=20, required=False, label=_("Order number"))


class ReturnNoInputForm(forms.Form):
    """Return actions without inputs (retry the refund)."""


class ApproveReturnForm(forms.Form):
    note = forms.CharField(
        max_length=200, required=False, label=_("Note"), help_text=_("Shown on the return's timeline")
    )


class RejectReturnForm(forms.Form):
    reason = forms.CharField(max_length=200, label=_("Reason to reject"), help_text=_("The customer sees it"))


class ReceiveReturnForm(forms.Form):
    restock = forms.BooleanField(required=False, initial=True, label=_("Put the returned units back in stock"))


class ReportForm(forms.Form):
    """The reports' range (local days, at most three years), grouping and filters. ``days`` is a shortcut for the
    last N days (links and bookmarks of the old period picker keep working)."""

    first = forms.DateField(required=False, label=_("From"), widget=DateInput)
    last = forms.DateField(required=False, label=_("To"), widget=DateInput)
    days = forms.IntegerField(required=False, min_value=1, max_value=MAX_REPORT_DAYS, widget=forms.HiddenInput)
    group = forms.ChoiceField(
        choices=[("day", _("By day")), ("week", _("By week")), ("month", _("By month"))],
        required=False,
        label=_("Group"),
    )
    warehouse = forms.TypedChoiceField(choices=(), coerce=int, required=False, empty_value=None, label=_("Warehouse"))
    method = forms.ChoiceField(choices=(), required=False, label=_("Payment method"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        warehouses = Warehouse.objects.order_by("priority", "code").values_list("pk", "code", "name")
        cast(forms.ChoiceField, self.fields["warehouse"]).choices = [
            ("", _("Every warehouse")),
            *((pk, f"{code} {name}") for pk, code, name in warehouses),
        ]
        cast(forms.ChoiceField, self.fields["method"]).choices = [("", _("Every method")), *Payment.Method.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if first and last:
            if first > last:
                raise forms.ValidationError(_("The first day comes after the last."))
            if (last - first).days + 1 > MAX_REPORT_DAYS:
                raise forms.ValidationError(_("A report covers at most three years."))
        return data

    def filters(self, *, today: date) -> ReportFilters:
        """The valid filters, or the last 30 days grouped by day."""
        data = self.cleaned_data if self.is_valid() else {}
        last = data.get("last") or today
        first = data.get("first") or last - timedelta(days=(data.get("days") or 30) - 1)
        if (last - first).days + 1 > MAX_REPORT_DAYS:
            first = last - timedelta(days=MAX_REPORT_DAYS - 1)
        return ReportFilters(
            first=first,
            last=last,
            group=data.get("group") or "day",
            warehouse_id=data.get("warehouse"),
            payment_method=data.get("method") or None,
        )


class InventoryFilterForm(forms.Form):
    warehouse = forms.CharField(max_length=32, required=False, label=_("Warehouse"))
    q = forms.CharField(max_length=64, required=False, label=_("SKU code or name"))


MAX_BULK = 200  # orders per bulk action or pick list


# --- Purchasing -----------------------------------------------------------------------------------------------


class SupplierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return ngettext("%(code)s %(name)s (%(days)s day)", "%(code)s %(name)s (%(days)s days)", obj.lead_days) % {
            "code": obj.code,
            "name": obj.name,
            "days": obj.lead_days,
        }


class PurchaseOrderFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *PurchaseOrderStatus.choices], required=False, label=_("Status")
    )
    supplier = forms.CharField(max_length=32, required=False, label=_("Supplier"), help_text=_("Supplier code"))
    po_no = forms.CharField(max_length=20, required=False, label=_("PO number"), help_text=_("Or its start"))


class PurchasePartiesForm(forms.Form):
    """Who supplies and which warehouse receives: the head of a new purchase order."""

    supplier = SupplierChoiceField(
        queryset=Supplier.objects.filter(is_active=True).order_by("code"),
        to_field_name="code",
        empty_label=None,
        label=_("Supplier"),
    )
    warehouse = forms.ModelChoiceField(
        queryset=Warehouse.objects.filter(is_active=True).order_by("priority", "code"),
        to_field_name="code",
        empty_label=None,
        label=_("Receiving warehouse"),
    )


class FromSuggestionsForm(PurchasePartiesForm):
    sku = forms.MultipleChoiceField(
        choices=(), label=_("SKU"), error_messages={"required": _("Select at least one SKU to order.")}
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any code is accepted here; the service says which are unknown or need nothing.
        data = cast(QueryDict, self.data)  # request.POST
        cast(forms.ChoiceField, self.fields["sku"]).choices = [
            (code, code) for code in (data.getlist("sku") if data else [])
        ]


class NewPurchaseOrderForm(PurchasePartiesForm):
    """A purchase order typed in: up to ``rows`` lines of SKU code, quantity and (optional) unit cost."""

    note = forms.CharField(
        max_length=255, required=False, label=_("Note"), help_text=_("For the supplier and the timeline")
    )
    rows = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_PO_LINES)

    def __init__(self, *args, rows: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.row_count = rows
        for i in range(rows):
            self.fields[f"sku_{i}"] = forms.CharField(
                max_length=64, required=False, label=gettext("SKU, line %(n)s") % {"n": i + 1}
            )
            self.fields[f"quantity_{i}"] = forms.IntegerField(
                min_value=1,
                max_value=MAX_LINE_QUANTITY,
                required=False,
                label=gettext("Quantity, line %(n)s") % {"n": i + 1},
            )
            self.fields[f"unit_cost_{i}"] = forms.DecimalField(
                max_digits=12,
                decimal_places=2,
                min_value=Decimal("0"),
                required=False,
                label=gettext("Unit cost, line %(n)s") % {"n": i + 1},
            )

    def line_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [(self[f"sku_{i}"], self[f"quantity_{i}"], self[f"unit_cost_{i}"]) for i in range(self.row_count)]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for i in range(self.row_count):
            if (data.get(f"sku_{i}") or "").strip() and data.get(f"quantity_{i}") is None:
                self.add_error(f"quantity_{i}", gettext("Enter how many units to order."))
        return data

    def lines(self) -> list[PurchaseLineInput]:
        data = self.cleaned_data
        return [
            PurchaseLineInput(data[f"sku_{i}"].strip(), data[f"quantity_{i}"], data.get(f"unit_cost_{i}"))
            for i in range(self.row_count)
            if (data.get(f"sku_{i}") or "").strip()
        ]


class SubmitPurchaseOrderForm(forms.Form):
    expected_at = forms.DateField(
        required=False,
        label=_("Expected delivery"),
        widget=DateInput,
        help_text=_("Empty: today + the supplier's lead time"),
    )
    note = forms.CharField(max_length=200, required=False, label=_("Note"), help_text=_("Shown on the timeline"))

    def __init__(self, *args, po, **kwargs) -> None:
        super().__init__(*args, **kwargs)


class CancelPurchaseOrderForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False, label=_("Reason"), help_text=_("Shown on the timeline"))

    def __init__(self, *args, po, **kwargs) -> None:
        super().__init__(*args, **kwargs)


class ClosePurchaseOrderForm(forms.Form):
    reason = forms.CharField(
        max_length=200, label=_("Reason"), help_text=_("Why the rest will not come: shown on the timeline")
    )

    def __init__(self, *args, po, **kwargs) -> None:
        super().__init__(*args, **kwargs)


class ReceivePurchaseOrderForm(forms.Form):
    """Units that arrived, per open line (defaulting to what it still expects); the service refuses too many."""

    note = forms.CharField(
        max_length=200, required=False, label=_("Note"), help_text=_("Delivery note number, damage…")
    )

    def __init__(self, *args, po, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.open_lines = [line for line in po.lines.all() if line.remaining]
        for line in self.open_lines:
            self.fields[f"qty_{line.sku.code}"] = forms.IntegerField(
                min_value=0,
                max_value=MAX_LINE_QUANTITY,
                required=False,
                initial=line.remaining,
                label=gettext("%(sku)s received now (%(expected)s expected)")
                % {"sku": line.sku.code, "expected": line.remaining},
            )

    def line_fields(self) -> list[tuple[PurchaseOrderLine, forms.BoundField]]:
        return [(line, self[f"qty_{line.sku.code}"]) for line in self.open_lines]

    def quantities(self) -> dict[str, int]:
        return {
            line.sku.code: self.cleaned_data[f"qty_{line.sku.code}"]
            for line in self.open_lines
            if self.cleaned_data.get(f"qty_{line.sku.code}")
        }


class SkuPolicyForm(forms.Form):
    """A SKU's own planning policy; an empty field falls back to the supplier's value, else the shop default."""

    supplier = forms.ModelChoiceField(
        queryset=Supplier.objects.filter(is_active=True).order_by("code"),
        to_field_name="code",
        required=False,
        label=_("Usual supplier"),
        empty_label=_("(none)"),
    )
    order_cost = forms.DecimalField(label=_("Ordering cost S (¥ per order)"), required=False, min_value=0,
                                    max_digits=12, decimal_places=2)  # fmt: skip
    holding_cost = forms.DecimalField(label=_("Holding cost H (¥ per unit-year)"), required=False, min_value=0,
                                      max_digits=12, decimal_places=2)  # fmt: skip
    holding_rate = forms.DecimalField(label=_("…or holding rate (share of unit cost a year)"), required=False,
                                      min_value=0, max_value=10, max_digits=5, decimal_places=4)  # fmt: skip
    lead_days = forms.IntegerField(label=_("Lead time L (days)"), required=False, min_value=1, max_value=365)
    service_level = forms.DecimalField(label=_("Service level (e.g. 0.95)"), required=False, min_value=Decimal("0.5"),
                                       max_value=Decimal("0.9999"), max_digits=5, decimal_places=4)  # fmt: skip
    pack_size = forms.IntegerField(label=_("Pack size"), required=False, min_value=1, max_value=100_000)
    min_order_quantity = forms.IntegerField(label=_("Minimum order"), required=False, min_value=1, max_value=1_000_000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("holding_cost") is not None and data.get("holding_rate") is not None:
            raise forms.ValidationError(_("Give the holding cost per unit-year or as a rate, not both."))
        return data

    def changes(self) -> dict[str, Any]:
        """Every field, an empty one as None (not set on the SKU)."""
        return {name: self.cleaned_data.get(name) for name in POLICY_FIELDS}

    @staticmethod
    def initial_from(own: SkuPolicy | None) -> dict[str, Any]:
        if own is None:
            return {}
        initial = {name: getattr(own, name) for name in POLICY_FIELDS}
        initial["supplier"] = own.supplier.code if own.supplier is not None else None
        return initial
