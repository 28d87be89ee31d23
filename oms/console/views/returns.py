"""The return queue, and the POST endpoints of the returns panel on the order page.

Each action asks for confirmation first (hx-confirm, or a confirm page without JavaScript), then calls its
service; a business error becomes a message on the order page, never a 500.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from oms.aftersales import selectors as return_selectors
from oms.aftersales.errors import ReturnNotFound
from oms.common.request_types import AuthenticatedHttpRequest
from oms.console import selectors
from oms.console.access import staff_required
from oms.console.forms import ReturnFilterForm
from oms.console.return_actions import MANAGE_RETURNS, RETURN_ACTIONS
from oms.web_vendor.helpers import flash_form_errors, run_service, safe_next

from .actions import confirm_page
from .orders import VIEW_ALL, _not_found

PAGE_SIZE = 50


@staff_required(VIEW_ALL)
def return_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ReturnFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    returns = selectors.return_queue(
        user=request.user, status=data.get("status") or None, order_no=(data.get("order_no") or "").strip() or None
    )
    page = Paginator(returns, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "nav": "returns"}
    return render(request, "console/returns.html", context)


@require_POST
@staff_required(MANAGE_RETURNS)
def return_action(request: AuthenticatedHttpRequest, return_id: int, action: str) -> HttpResponse:
    spec = RETURN_ACTIONS.get(action)
    if spec is None:
        return _not_found(request, gettext("No action “%(action)s”.") % {"action": action}, back_to="returns")
    try:
        found = return_selectors.return_detail(user=request.user, return_id=return_id)
    except ReturnNotFound as exc:
        return _not_found(request, exc.message, back_to="returns")
    order_no = found.order.order_no
    back = safe_next(request, reverse("console:order", args=[order_no]))
    form = spec.form(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(back)
    if request.POST.get("confirmed") != "yes":
        title = gettext("%(action)s: return #%(number)s of order %(order_no)s?") % {
            "action": spec.label,
            "number": found.pk,
            "order_no": order_no,
        }
        return confirm_page(request, title=title, danger=spec.danger, back=back, form=form)
    result = run_service(request, lambda: spec.run(request.user, found, form.cleaned_data), success=str(spec.done))
    outcome = spec.outcome(result) if spec.outcome and result is not None else None
    if outcome:
        good, message = outcome
        (messages.success if good else messages.error)(request, message)
    return redirect(back)
