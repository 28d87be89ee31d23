from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.catalog.models import Sku
from oms.common.errors import OmsError
from oms.common.request_types import AuthenticatedHttpRequest
from oms.console import charts
from oms.console.access import forbidden, staff_required
from oms.console.forms import FromSuggestionsForm, InventoryFilterForm, SkuPolicyForm
from oms.console.purchase_actions import MANAGE_POS
from oms.inventory import selectors
from oms.inventory.models import Warehouse
from oms.planning import services as planning_services
from oms.planning.models import SkuPolicy
from oms.planning.policy import default_policy, policies_for
from oms.planning.selectors import latest_forecasts, low_stock, planning_suggestions, policy_changes

STOCK_PAGE_SIZE = 50
PLAN_ROWS = 50
MANAGE_PLANNING = "planning.manage_planning"


@staff_required("inventory.view_stock")
def inventory(request: HttpRequest) -> HttpResponse:
    form = InventoryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.stock_rows(warehouse=data.get("warehouse") or None, search=data.get("q") or None)
    page = Paginator(rows, STOCK_PAGE_SIZE).get_page(request.GET.get("page"))
    # Read from the stored forecasts (the nightly job, or `oms plan`): nothing is forecast while the page waits.
    suggestions = planning_suggestions()
    can_purchase = request.user.has_perm(MANAGE_POS)
    query = request.GET.copy()
    query.pop("page", None)
    planned = [s for s in suggestions if s.order_by is not None or s.stockout_on is not None]
    context = {
        "form": form,
        "warehouses": Warehouse.objects.order_by("priority", "code"),
        "totals": selectors.warehouse_totals(),
        "page": page,
        "query": query.urlencode(),
        "movements": selectors.recent_movements(limit=30),
        "low_stock": low_stock(suggestions)[:PLAN_ROWS],
        "plan": planned[:PLAN_ROWS],
        "reorder": [(s, s.quantity) for s in suggestions if s.reorder_now][:PLAN_ROWS],
        "forecast_made_on": max((s.made_on for s in suggestions if s.made_on), default=None),
        "can_purchase": can_purchase,
        "purchase_form": FromSuggestionsForm() if can_purchase else None,
        "policy": default_policy(),
        "today": timezone.localdate(),
        "nav": "inventory",
    }
    return render(request, "console/inventory.html", context)


@staff_required("inventory.view_stock")
def sku_planning(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """One SKU's forecast (chart with its history), suggestion, policy (editable with the right) and its audit."""
    sku = Sku.objects.filter(code=code).first() if "\x00" not in code else None
    if sku is None:
        raise Http404(_("No such SKU."))
    can_edit = request.user.has_perm(MANAGE_PLANNING)
    own = SkuPolicy.objects.filter(sku=sku).select_related("supplier").first()
    if request.method == "POST":
        if not can_edit:
            return forbidden(request, _("Changing a planning policy needs the right to manage planning."))
        form = SkuPolicyForm(request.POST)
        if form.is_valid():
            try:
                planning_services.update_sku_policy(sku=sku, changes=form.changes(), actor=request.user)
            except OmsError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Planning policy of %(code)s saved.") % {"code": sku.code})
                return redirect("console:sku-planning", sku.code)
        status = 400
    else:
        form = SkuPolicyForm(initial=SkuPolicyForm.initial_from(own))
        status = 200
    forecast = latest_forecasts(sku_ids=[sku.pk]).get(sku.pk)
    found = planning_suggestions(sku_ids=[sku.pk])
    context = {
        "sku": sku,
        "forecast": forecast,
        "suggestion": found[0] if found else None,
        "chart": charts.forecast_chart(forecast) if forecast is not None else None,
        "effective": policies_for([sku.pk])[sku.pk],
        "changes": policy_changes(sku_id=sku.pk),
        "form": form if can_edit else None,
        "nav": "inventory",
    }
    return render(request, "console/sku_planning.html", context, status=status)
