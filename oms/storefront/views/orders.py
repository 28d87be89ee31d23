from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from oms.aftersales import allowed as returns_allowed
from oms.common.errors import OmsError
from oms.common.money import format_money
from oms.common.request_types import AuthenticatedHttpRequest
from oms.orders.models import Order
from oms.payments import allowed as payments_allowed
from oms.payments import cancellation
from oms.payments import services as payment_services
from oms.shipping import allowed as shipping_allowed
from oms.shipping.services import confirm_receipt
from oms.storefront import selectors
from oms.storefront.forms import CancelForm, PayForm, ReturnRequestForm
from oms.web_vendor.helpers import flash_form_errors, run_service

from .confirm import confirm_page, is_confirmed, no_longer_possible, submitted

PAGE_SIZE = 20


def _not_found(request: HttpRequest, order_no: str) -> HttpResponse:
    return render(
        request,
        "storefront/not_found.html",
        {"message": _("No order %(order_no)s among your orders.") % {"order_no": order_no}},
        status=404,
    )


@login_required
def my_orders(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_orders(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "storefront/orders.html", {"page": page})


@login_required
def order(request: AuthenticatedHttpRequest, order_no: str) -> HttpResponse:
    found = selectors.my_order(request.user, order_no)
    if found is None:
        return _not_found(request, order_no)
    context = {
        "order": found,
        "payable": payments_allowed.can_pay(order=found, user=request.user),
        "cancellable": payments_allowed.can_cancel(order=found, user=request.user),
        "receivable": shipping_allowed.can_confirm_receipt(order=found, user=request.user),
        "will_not_ship": shipping_allowed.will_not_ship(found),
        "pay_form": PayForm(initial={"method": found.payment_method or "alipay"}),
        "has_payment_password": selectors.has_payment_password(request.user),
        "balance": selectors.balance_of(request.user),
        **_returns_context(request.user, found),
    }
    return render(request, "storefront/order.html", context)


def _returns_context(customer: User, order: Order) -> dict:
    """What the order page shows of returns: the request form if anything may go back, and the order's returns."""
    may_return = returns_allowed.can_request_return(order=order, user=customer)
    returnable = selectors.returnable(order) if may_return else []
    returns = [
        (
            ret,
            returns_allowed.can_ship_return(ret=ret, user=customer),
            returns_allowed.can_cancel_return(ret=ret, user=customer),
        )
        for ret in selectors.my_returns(customer, order=order)
    ]
    return {
        "returnable": returnable,
        "return_form": ReturnRequestForm(returnable=returnable) if returnable else None,
        "returns": returns,
    }


@require_POST
@login_required
def pay(request: AuthenticatedHttpRequest, order_no: str) -> HttpResponse:
    found = selectors.my_order(request.user, order_no)
    if found is None:
        return _not_found(request, order_no)
    form = PayForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("storefront:order", order_no=order_no)
    if form.cleaned_data["method"] == "balance":
        run_service(
            request,
            lambda: payment_services.pay_with_balance(
                order=found, customer=request.user, payment_password=form.cleaned_data["payment_password"]
            ),
            success=_("Paid with your store balance. Thank you!"),
        )
        return redirect("storefront:order", order_no=order_no)
    try:
        return redirect(
            payment_services.start_gateway_payment(order=found, method="alipay", channel="page", request=request)
        )
    except OmsError as exc:
        messages.error(request, exc.message)
        return redirect("storefront:order", order_no=order_no)


@require_http_methods(["GET", "POST"])
@login_required
def cancel(request: AuthenticatedHttpRequest, order_no: str) -> HttpResponse:
    """GET (or an unconfirmed POST): the confirm page; a confirmed POST cancels the order: an unpaid one outright,
    a paid one not yet shipped by refunding it in full."""
    found = selectors.my_order(request.user, order_no)
    if found is None:
        return _not_found(request, order_no)
    back = reverse("storefront:order", args=[order_no])
    form = CancelForm(submitted(request))
    paid = payments_allowed.cancel_refunds(found)
    if not is_confirmed(request):
        if not payments_allowed.can_cancel(order=found, user=request.user):
            return no_longer_possible(
                request, _("Order %(order_no)s can no longer be cancelled here.") % {"order_no": order_no}, back
            )
        return confirm_page(
            request,
            title=_("Cancel order %(order_no)s?") % {"order_no": order_no},
            summary=_order_summary(found),
            explanation=(
                _(
                    "Nothing has left our warehouse yet: we refund what you paid to where it came from "
                    "(Alipay or your store balance)."
                )
                if paid
                else _("The items held for it are released; nothing was paid, so there is nothing to refund.")
            ),
            form=form,
            button=_("Yes, cancel and refund") if paid else _("Yes, cancel the order"),
            back=back,
            danger=True,
        )
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    after = run_service(
        request,
        lambda: cancellation.cancel_or_refund_order(
            order=found, actor=request.user, reason=reason, by_staff=payments_allowed.cancels_as_staff(request.user)
        ),
        success=_("Order cancelled."),
    )
    if paid and after is not None:
        messages.info(
            request,
            _("Your refund is on its way: the payment service has not confirmed it yet.")
            if payments_allowed.refund_unconfirmed(after)
            else _("Your payment is refunded."),
        )
    return redirect(back)


@require_http_methods(["GET", "POST"])
@login_required
def receipt(request: AuthenticatedHttpRequest, order_no: str) -> HttpResponse:
    """GET (or an unconfirmed POST): the confirm page; a confirmed POST completes the shipped order."""
    found = selectors.my_order(request.user, order_no)
    if found is None:
        return _not_found(request, order_no)
    back = reverse("storefront:order", args=[order_no])
    if not is_confirmed(request):
        if not shipping_allowed.can_confirm_receipt(order=found, user=request.user):
            return no_longer_possible(
                request, _("Order %(order_no)s is not waiting for your confirmation.") % {"order_no": order_no}, back
            )
        return confirm_page(
            request,
            title=_("Did you receive order %(order_no)s?") % {"order_no": order_no},
            summary=_order_summary(found),
            explanation=_("Confirm only once every parcel has arrived: the order is then complete."),
            button=_("Yes, I received it"),
            back=back,
        )
    run_service(
        request,
        lambda: confirm_receipt(order=found, customer=request.user),
        success=_("Thanks for confirming: the order is complete."),
    )
    return redirect(back)


def _order_summary(order: Order) -> list[tuple[str, str]]:
    items = ", ".join(f"{item.quantity} × {item.name}" for item in order.items.all())
    return [(_("Items"), items), (_("Total"), format_money(order.total_amount))]
