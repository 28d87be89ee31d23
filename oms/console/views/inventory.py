from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oms.console.access import staff_required
from oms.console.forms import FromSuggestionsForm, InventoryFilterForm
from oms.console.purchase_actions import MANAGE_POS
from oms.inventory import selectors
from oms.inventory.models import Warehouse
from oms.inventory.replenishment import Policy
from oms.purchasing.planning import purchase_suggestions, suggested_quantity

STOCK_PAGE_SIZE = 50


@staff_required("inventory.view_stock")
def inventory(request: HttpRequest) -> HttpResponse:
    form = InventoryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.stock_rows(warehouse=data.get("warehouse") or None, search=data.get("q") or None)
    page = Paginator(rows, STOCK_PAGE_SIZE).get_page(request.GET.get("page"))
    suggestions = purchase_suggestions()  # units on open purchase orders count towards each SKU's position
    can_purchase = request.user.has_perm(MANAGE_POS)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "warehouses": Warehouse.objects.order_by("priority", "code"),
        "totals": selectors.warehouse_totals(),
        "page": page,
        "query": query.urlencode(),
        "movements": selectors.recent_movements(limit=30),
        "low_stock": selectors.low_stock(suggestions=suggestions)[:50],
        "reorder": [(s, suggested_quantity(s)) for s in suggestions if s.reorder_now][:50],
        "can_purchase": can_purchase,
        "purchase_form": FromSuggestionsForm() if can_purchase else None,
        "policy": Policy.from_settings(),
        "nav": "inventory",
    }
    return render(request, "console/inventory.html", context)
