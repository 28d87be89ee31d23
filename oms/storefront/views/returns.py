"""The customer's returns: ask to send delivered items back, enter the parcel's tracking number, or withdraw.

Every action is on the order page and asks first: hx-confirm with JavaScript, a confirm page without
(oms.storefront.views.confirm). A business error becomes a message on the order page, never a 500.
Only the customer's own orders and returns are found: anyone else's is a 404, as for orders.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from oms.aftersales import allowed, services
from oms.aftersales.models import ReturnRequest
from oms.common.request_types import AuthenticatedHttpRequest
from oms.storefront import selectors
from oms.storefront.forms import CancelForm, ReturnRequestForm, ReturnShipForm
from oms.web_vendor.helpers import flash_form_errors, run_service

from .confirm import confirm_page, is_confirmed, no_longer_possible, submitted
from .orders import _not_found

PAGE_SIZE = 20
RETURN_STEPS = gettext_lazy(
    "We look at each request and tell you on the order page whether to send the items back; the refund follows "
    "once they arrive."
)


def _return_not_found(request: HttpRequest, return_id: int) -> HttpResponse:
    return render(
        request,
        "storefront/not_found.html",
        {"message": _("No return %(id)s among your returns.") % {"id": return_id}},
        status=404,
    )


@login_required
def my_returns(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_returns(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "storefront/returns.html", {"page": page})


@require_http_methods(["GET", "POST"])
@login_required
def request_return(request: AuthenticatedHttpRequest, order_no: str) -> HttpResponse:
    """GET (or an unconfirmed POST): the confirm page for the chosen units; a confirmed POST asks for the return."""
    found = selectors.my_order(request.user, order_no)
    if found is None:
        return _not_found(request, order_no)
    back = _returns_of(order_no)
    form = ReturnRequestForm(submitted(request), returnable=selectors.returnable(found))
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(back)
    if not is_confirmed(request):
        units = [
            (f"{row['name']} ({row['sku']})", ngettext("%(count)s unit", "%(count)s units", count) % {"count": count})
            for row, count in form.chosen()
        ]
        return confirm_page(
            request,
            title=_("Send these items of order %(order_no)s back?") % {"order_no": order_no},
            summary=[*units, (_("Why"), form.cleaned_data["reason"])],
            explanation=str(RETURN_STEPS),
            form=form,
            button=_("Yes, request the return"),
            back=back,
        )
    run_service(
        request,
        lambda: services.request_return(
            order=found, customer=request.user, items=form.items(), reason=form.cleaned_data["reason"]
        ),
        success=_("Return requested: we will tell you here when it is approved."),
    )
    return redirect("storefront:order", order_no=order_no)


@require_http_methods(["GET", "POST"])
@login_required
def ship_return(request: AuthenticatedHttpRequest, order_no: str, return_id: int) -> HttpResponse:
    """GET (or an unconfirmed POST): the confirm page for the parcel's tracking number; a confirmed POST records it."""
    found = selectors.my_return(request.user, order_no, return_id)
    if found is None:
        return _return_not_found(request, return_id)
    back = _returns_of(order_no, return_id)
    form = ReturnShipForm(submitted(request))
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(back)
    if not is_confirmed(request):
        if not allowed.can_ship_return(ret=found, user=request.user):
            return no_longer_possible(
                request, _("Return #%(id)s is not waiting for a parcel.") % {"id": return_id}, back
            )
        return confirm_page(
            request,
            title=_("Did you send return #%(id)s with this tracking number?") % {"id": return_id},
            summary=[(_("Items"), _return_items(found)), *((str(field.label), field.value()) for field in form)],
            explanation=_("We refund the items once the parcel arrives."),
            form=form,
            button=_("Yes, I sent it"),
            back=back,
        )
    run_service(
        request,
        lambda: services.ship_return(return_request=found, actor=request.user, by_staff=False, **form.cleaned_data),
        success=_("Thanks: we will refund the items once the parcel arrives."),
    )
    return redirect("storefront:order", order_no=order_no)


@require_http_methods(["GET", "POST"])
@login_required
def cancel_return(request: AuthenticatedHttpRequest, order_no: str, return_id: int) -> HttpResponse:
    """GET (or an unconfirmed POST): the confirm page; a confirmed POST withdraws the return request."""
    found = selectors.my_return(request.user, order_no, return_id)
    if found is None:
        return _return_not_found(request, return_id)
    back = _returns_of(order_no, return_id)
    form = CancelForm(submitted(request))
    if not is_confirmed(request):
        if not allowed.can_cancel_return(ret=found, user=request.user):
            return no_longer_possible(
                request, _("Return #%(id)s can no longer be withdrawn.") % {"id": return_id}, back
            )
        return confirm_page(
            request,
            title=_("Withdraw return request #%(id)s?") % {"id": return_id},
            summary=[(_("Items"), _return_items(found))],
            explanation=_("The items stay with you; you may ask again while the return window is open."),
            form=form,
            button=_("Yes, withdraw it"),
            back=back,
            danger=True,
        )
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    run_service(
        request,
        lambda: services.cancel_return(return_request=found, actor=request.user, reason=reason, by_staff=False),
        success=_("Return request withdrawn."),
    )
    return redirect("storefront:order", order_no=order_no)


def _returns_of(order_no: str, return_id: int | None = None) -> str:
    """The order page, scrolled to its returns (or to one return)."""
    anchor = f"return-{return_id}" if return_id else "returns"
    return f"{reverse('storefront:order', args=[order_no])}#{anchor}"


def _return_items(ret: ReturnRequest) -> str:
    return ", ".join(f"{line.quantity} × {line.sku_code}" for line in ret.lines.all())
