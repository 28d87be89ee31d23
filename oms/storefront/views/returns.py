"""The customer's returns: ask to send delivered items back, enter the parcel's tracking number, or withdraw.

Every action is on the order page (hx-confirm asks first); a business error becomes a message there, never a 500.
Only the customer's own orders and returns are found: anyone else's is a 404, as for orders.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from oms.aftersales import services
from oms.storefront import selectors
from oms.storefront.forms import CancelForm, ReturnRequestForm, ReturnShipForm
from oms.web_vendor.helpers import flash_form_errors, run_service

from .orders import _not_found

PAGE_SIZE = 20


def _return_not_found(request: HttpRequest, return_id: int) -> HttpResponse:
    return render(
        request, "storefront/not_found.html", {"message": f"No return {return_id} among your returns."}, status=404
    )


@login_required
def my_returns(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_returns(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "storefront/returns.html", {"page": page})


@require_POST
@login_required
def request_return(request: HttpRequest, order_no: str) -> HttpResponse:
    found = selectors.my_order(request.user, order_no)
    if found is None:
        return _not_found(request, order_no)
    form = ReturnRequestForm(request.POST, returnable=selectors.returnable(found))
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("storefront:order", order_no=order_no)
    run_service(
        request,
        lambda: services.request_return(
            order=found, customer=request.user, items=form.items(), reason=form.cleaned_data["reason"]
        ),
        success="Return requested: we will tell you here when it is approved.",
    )
    return redirect("storefront:order", order_no=order_no)


@require_POST
@login_required
def ship_return(request: HttpRequest, order_no: str, return_id: int) -> HttpResponse:
    found = selectors.my_return(request.user, order_no, return_id)
    if found is None:
        return _return_not_found(request, return_id)
    form = ReturnShipForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("storefront:order", order_no=order_no)
    run_service(
        request,
        lambda: services.ship_return(return_request=found, actor=request.user, by_staff=False, **form.cleaned_data),
        success="Thanks: we will refund the items once the parcel arrives.",
    )
    return redirect("storefront:order", order_no=order_no)


@require_POST
@login_required
def cancel_return(request: HttpRequest, order_no: str, return_id: int) -> HttpResponse:
    found = selectors.my_return(request.user, order_no, return_id)
    if found is None:
        return _return_not_found(request, return_id)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    run_service(
        request,
        lambda: services.cancel_return(return_request=found, actor=request.user, reason=reason, by_staff=False),
        success="Return request withdrawn.",
    )
    return redirect("storefront:order", order_no=order_no)
