from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from oms.common.errors import OmsError
from oms.common.request_types import AuthenticatedHttpRequest
from oms.orders.services import place_order
from oms.payments import balance
from oms.payments.services import start_gateway_payment
from oms.storefront import selectors
from oms.storefront.cart import Cart
from oms.storefront.forms import CheckoutForm


@login_required
def checkout(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Address and payment method; places the order with the key drawn when the form was shown, then pays."""
    cart = Cart(request.session)
    lines = cart.lines()
    addresses = selectors.address_book(request.user)
    form = CheckoutForm(request.POST or None, addresses=addresses)
    if request.method == "POST" and form.is_valid():
        if not lines:
            # A second click after the first placed the order (and emptied the cart): the key finds that order.
            replayed = _replay(request, form)
            if replayed:
                return redirect("storefront:order", order_no=replayed)
            messages.error(request, _("Your cart is empty."))
            return redirect("storefront:cart")
        try:
            placed = place_order(
                customer=request.user,
                items=cart.order_lines(lines),
                address=form.address(),
                idempotency_key=form.cleaned_data["idempotency_key"],
                payment_method=form.cleaned_data["payment_method"],
                check_total=balance.placement_check(
                    customer=request.user, payment_method=form.cleaned_data["payment_method"]
                ),
            )
        except OmsError as exc:
            messages.error(request, exc.message)
        else:
            cart.clear()
            return _pay(request, placed.order, form.cleaned_data["payment_method"])
    if not lines and request.method == "GET":
        messages.info(request, _("Your cart is empty: add something first."))
        return redirect("storefront:cart")
    context = {
        "form": form,
        "lines": lines,
        "totals": cart.totals(lines),
        "balance": selectors.balance_of(request.user),
        "has_addresses": bool(addresses),
    }
    return render(request, "storefront/checkout.html", context, status=400 if form.errors else 200)


def _replay(request: AuthenticatedHttpRequest, form: CheckoutForm) -> str | None:
    key = form.cleaned_data["idempotency_key"]
    order = selectors.my_orders(request.user).filter(idempotency_key=key).first()
    return order.order_no if order else None


def _pay(request: HttpRequest, order, method: str) -> HttpResponse:
    if method == "alipay":
        try:
            return redirect(start_gateway_payment(order=order, method="alipay", channel="page", request=request))
        except OmsError as exc:
            messages.error(request, exc.message)
            return redirect("storefront:order", order_no=order.order_no)
    messages.success(
        request, _("Order %(order_no)s placed. Enter your payment password to pay.") % {"order_no": order.order_no}
    )
    return redirect("storefront:order", order_no=order.order_no)
