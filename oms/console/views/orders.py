from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from oms.aftersales import selectors as return_selectors
from oms.common.errors import OmsError
from oms.common.request_types import AuthenticatedHttpRequest
from oms.console import selectors as console_selectors
from oms.console.access import staff_required
from oms.console.actions import ACTIONS, available_actions
from oms.console.forms import MAX_BULK, OrderFilterForm
from oms.console.pagination import keyset_page
from oms.console.return_actions import available_return_actions
from oms.orders import selectors
from oms.orders.errors import OrderNotFound
from oms.payments import allowed as payments_allowed
from oms.shipping import allowed as shipping_allowed
from oms.shipping import services as shipping_services
from oms.web_vendor.helpers import is_htmx, safe_next

PAGE_SIZE = 50
VIEW_ALL = "orders.view_all_orders"


@staff_required(VIEW_ALL)
def order_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else OrderFilterForm().filters()
    orders = selectors.filter_orders(selectors.orders_visible_to(request.user), filters).select_related("customer")
    page = keyset_page(orders, after=request.GET.get("after"), before=request.GET.get("before"), size=PAGE_SIZE)
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    context = {"form": form, "page": page, "query": query.urlencode(), "nav": "orders"}
    template = (
        "console/_order_results.html" if is_htmx(request) and request.GET.get("partial") else "console/orders.html"
    )
    return render(request, template, context)


# Where a "not found" page sends staff back to: the list the missing thing would be in.
BACK_TO = {
    "orders": ("console:orders", _("Back to the orders")),
    "purchase_orders": ("console:purchase-orders", _("Back to the purchase orders")),
    "returns": ("console:returns", _("Back to the returns")),
}


def _not_found(request: HttpRequest, message: str, *, back_to: str = "orders") -> HttpResponse:
    url_name, label = BACK_TO[back_to]
    context = {"message": message, "back_url": reverse(url_name), "back_label": label}
    return render(request, "console/not_found.html", context, status=404)


@staff_required(VIEW_ALL)
def order_detail(request: AuthenticatedHttpRequest, order_no: str) -> HttpResponse:
    try:
        order = selectors.order_detail(user=request.user, order_no=order_no)
    except OrderNotFound as exc:
        return _not_found(request, exc.message)
    prefetch_related_objects([order], "payment_issues")
    names = available_actions(order, user=request.user)
    forms = {name: ACTIONS[name].form(order=order) for name in names}
    returns = return_selectors.return_list(user=request.user, order_no=order.order_no)
    context = {
        "order": order,
        "actions": names,
        "forms": forms,
        "open_issues": payments_allowed.open_issues(order),
        "resolutions": payments_allowed.resolutions(order),
        "pending_shipments": shipping_allowed.shippable_shipments(order=order, user=request.user),
        "waits_without_parcel": shipping_allowed.waits_without_parcel(order),
        "awaits_confirmation": shipping_allowed.why_not_confirm(order) is None,
        "units_held": console_selectors.units_held(order) if "reallocate" in names else [],
        "returns": [(ret, available_return_actions(ret, user=request.user)) for ret in returns],
        "nav": "orders",
    }
    return render(request, "console/order.html", context)


def _bulk_order_nos(request: HttpRequest) -> list[str]:
    source = request.POST if request.method == "POST" else request.GET
    return list(dict.fromkeys(no.strip() for no in source.getlist("order_no") if no.strip()))[:MAX_BULK]


@require_POST
@staff_required("orders.manage_orders")
def bulk_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    back = safe_next(request, reverse("console:orders"))
    order_nos = _bulk_order_nos(request)
    if not order_nos:
        messages.error(request, gettext("Select at least one order first."))
        return redirect(back)
    if request.POST.get("confirmed") != "yes":
        return render(
            request,
            "console/confirm.html",
            {
                "title": ngettext(
                    "Confirm %(count)s order for shipping?", "Confirm %(count)s orders for shipping?", len(order_nos)
                )
                % {"count": len(order_nos)},
                "action_url": request.path,
                "fields": [("order_no", no) for no in order_nos] + [("next", back)],
                "items": order_nos,
                "back": back,
            },
        )
    confirmed = 0
    for order_no in order_nos:
        try:
            order = selectors.order_for_action(user=request.user, order_no=order_no)
            shipping_services.confirm_order(order=order, actor=request.user)
            confirmed += 1
        except OmsError as exc:
            messages.error(request, f"{order_no}: {exc.message}")
    if confirmed:
        messages.success(
            request,
            ngettext("Confirmed %(count)s order for shipping.", "Confirmed %(count)s orders for shipping.", confirmed)
            % {"count": confirmed},
        )
    return redirect(back)


@require_http_methods(["GET", "POST"])
@staff_required(VIEW_ALL)
def pick_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A printable page: the lines to pick for the selected orders, per order and in total per warehouse.

    The order list posts its selection here (it changes nothing, but a GET of that form would carry the CSRF token
    in the URL); ``?order_no=…`` links work too.
    """
    orders = []
    for order_no in _bulk_order_nos(request):
        try:
            orders.append(selectors.order_detail(user=request.user, order_no=order_no))
        except OrderNotFound:
            messages.warning(request, gettext("No order %(order_no)s.") % {"order_no": order_no})
    totals: dict[tuple[str, str], int] = defaultdict(int)
    names: dict[str, str] = {}
    for order in orders:
        shipments = shipping_allowed.pending_shipments(order)
        for item in order.items.all():
            names[item.sku_code] = item.name
        if shipments:
            for shipment in shipments:
                for line in shipment.lines.all():
                    totals[(shipment.warehouse.code, line.sku_code)] += line.quantity
        else:
            for item in order.items.all():
                totals[("", item.sku_code)] += item.quantity
    rows = [(wh, sku, names.get(sku, ""), qty) for (wh, sku), qty in sorted(totals.items())]
    return render(request, "console/pick_list.html", {"orders": orders, "totals": rows, "nav": "orders"})
