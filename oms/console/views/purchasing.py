"""Purchase orders in the console: the list, a new PO (typed in, or from the inventory page's suggestions), the PO
page and its actions.

Each action asks for confirmation first (hx-confirm, or a confirm page without JavaScript), then calls its service;
a business error becomes a message on the page, never a 500.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from oms.catalog.models import Sku
from oms.common.errors import OmsError
from oms.common.request_types import AuthenticatedHttpRequest
from oms.console.access import staff_required
from oms.console.forms import FromSuggestionsForm, NewPurchaseOrderForm, PurchaseOrderFilterForm
from oms.console.purchase_actions import MANAGE_POS, PO_ACTIONS, VIEW_POS, available_po_actions
from oms.planning.selectors import planning_suggestions
from oms.planning.services import draft_purchase_order_from_suggestions
from oms.purchasing import selectors, services
from oms.purchasing.errors import PurchaseOrderNotFound
from oms.purchasing.models import PurchaseOrder
from oms.purchasing.services import MAX_PO_LINES
from oms.web_vendor.helpers import flash_form_errors, run_service, safe_next

from .actions import confirm_page
from .orders import _not_found

PAGE_SIZE = 50
EMPTY_ROWS = 3  # blank lines under the prefilled ones on a new PO


@staff_required(VIEW_POS)
def purchase_order_list(request: HttpRequest) -> HttpResponse:
    form = PurchaseOrderFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    found = selectors.purchase_order_list(
        status=data.get("status") or None,
        supplier=(data.get("supplier") or "").strip() or None,
        po_no=(data.get("po_no") or "").strip() or None,
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_manage": request.user.has_perm(MANAGE_POS),
        "nav": "purchasing",
    }
    return render(request, "console/purchase_orders.html", context)


@staff_required(VIEW_POS)
def purchase_order_detail(request: AuthenticatedHttpRequest, po_no: str) -> HttpResponse:
    try:
        po = selectors.purchase_order_detail(po_no=po_no)
    except PurchaseOrderNotFound as exc:
        return _not_found(request, exc.message, back_to="purchase_orders")
    names = available_po_actions(po, user=request.user)
    context = {
        "po": po,
        "actions": names,
        "forms": {name: PO_ACTIONS[name].form(po=po) for name in names},
        "outlook": selectors.purchase_order_outlook(po),
        "nav": "purchasing",
    }
    return render(request, "console/purchase_order.html", context)


@require_POST
@staff_required(MANAGE_POS)
def purchase_order_action(request: AuthenticatedHttpRequest, po_no: str, action: str) -> HttpResponse:
    spec = PO_ACTIONS.get(action)
    if spec is None:
        return _not_found(request, gettext("No action “%(action)s”.") % {"action": action}, back_to="purchase_orders")
    try:
        po = selectors.purchase_order_detail(po_no=po_no)
    except PurchaseOrderNotFound as exc:
        return _not_found(request, exc.message, back_to="purchase_orders")
    back = safe_next(request, reverse("console:purchase-order", args=[po.po_no]))
    form = spec.form(request.POST, po=po)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(back)
    if request.POST.get("confirmed") != "yes":
        title = gettext("%(action)s: purchase order %(po_no)s?") % {"action": spec.label, "po_no": po.po_no}
        return confirm_page(request, title=title, danger=spec.danger, back=back, form=form)
    run_service(request, lambda: spec.run(request.user, po, form), success=str(spec.done))
    return redirect(back)


@require_POST
@staff_required(MANAGE_POS)
def create_from_suggestions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The inventory page's "Create purchase order": one draft of the suggested quantities, then its page."""
    back = safe_next(request, reverse("console:inventory") + "#reorder")
    form = FromSuggestionsForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(back)
    codes = form.cleaned_data["sku"]
    try:
        po = draft_purchase_order_from_suggestions(
            supplier=form.cleaned_data["supplier"],
            warehouse=form.cleaned_data["warehouse"],
            sku_codes=codes,
            actor=request.user,
        )
    except OmsError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    _created(request, po)
    left_out = sorted(set(codes) - {line.sku.code for line in po.lines.all()})
    if left_out:
        messages.warning(request, gettext("Left out, nothing to order now: %(skus)s.") % {"skus": ", ".join(left_out)})
    return redirect("console:purchase-order", po.po_no)


@staff_required(MANAGE_POS)
def purchase_order_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A PO typed in. ``?sku=CODE`` (repeatable) prefills lines with their suggested quantities."""
    if request.method == "POST":
        form = NewPurchaseOrderForm(request.POST, rows=_row_count(request.POST))
        if form.is_valid():
            try:
                po = services.create_purchase_order(
                    supplier=form.cleaned_data["supplier"],
                    warehouse=form.cleaned_data["warehouse"],
                    lines=form.lines(),
                    actor=request.user,
                    note=form.cleaned_data["note"],
                )
            except OmsError as exc:
                messages.error(request, exc.message)
            else:
                _created(request, po)
                return redirect("console:purchase-order", po.po_no)
        status = 400
    else:
        codes = list(dict.fromkeys(request.GET.getlist("sku")))[:MAX_PO_LINES]
        initial = _prefilled_lines(codes)
        rows = min(len(codes) + EMPTY_ROWS, MAX_PO_LINES)
        form = NewPurchaseOrderForm(initial={**initial, "rows": rows}, rows=rows)
        status = 200
    context = {
        "form": form,
        "cost_ratio_percent": f"{(settings.OMS_PURCHASE_COST_RATIO * 100).normalize():f}",
        "nav": "purchasing",
    }
    return render(request, "console/purchase_order_new.html", context, status=status)


def _created(request: HttpRequest, po: PurchaseOrder) -> None:
    lines = po.lines.count()
    messages.success(
        request,
        ngettext(
            "Draft purchase order %(po_no)s created with %(count)s line. Check it, then send it to the supplier.",
            "Draft purchase order %(po_no)s created with %(count)s lines. Check it, then send it to the supplier.",
            lines,
        )
        % {"po_no": po.po_no, "count": lines},
    )


def _row_count(data: QueryDict) -> int:
    try:
        return min(max(int(data.get("rows", "1")), 1), MAX_PO_LINES)
    except ValueError:
        return 1


def _prefilled_lines(codes: list[str]) -> dict[str, object]:
    """Initial values of a new PO's lines: each SKU with its suggested quantity (blank when nothing is due)."""
    ids = dict(Sku.objects.filter(code__in=codes).values_list("code", "pk"))
    wanted = {s.code: s.quantity for s in planning_suggestions(sku_ids=list(ids.values()))} if ids else {}
    initial: dict[str, object] = {}
    for i, code in enumerate(codes):
        initial[f"sku_{i}"] = code
        initial[f"quantity_{i}"] = wanted.get(code) or None
    return initial
