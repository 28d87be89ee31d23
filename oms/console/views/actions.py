"""POST endpoints of the order page. Each asks for confirmation first (hx-confirm, or a confirm page without
JavaScript), then calls its service; a business error becomes a message on the order page, never a 500."""

from __future__ import annotations

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from oms.common.request_types import AuthenticatedHttpRequest
from oms.console.access import forbidden, staff_required
from oms.console.actions import ACTIONS
from oms.orders import selectors
from oms.orders.errors import OrderNotFound
from oms.web_vendor.helpers import flash_form_errors, run_service, safe_next

from .orders import _not_found


@require_POST
@staff_required()
def order_action(request: AuthenticatedHttpRequest, order_no: str, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        return _not_found(request, gettext("No action “%(action)s”.") % {"action": action})
    if not request.user.has_perm(spec.perm):
        return forbidden(
            request,
            gettext("“%(action)s” needs the permission “%(perm)s”.") % {"action": spec.label, "perm": spec.perm},
        )
    try:
        order = selectors.order_for_action(user=request.user, order_no=order_no)
    except OrderNotFound as exc:
        return _not_found(request, exc.message)
    back = safe_next(request, reverse("console:order", args=[order.order_no]))
    form = spec.form(request.POST, order=order)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(back)
    if request.POST.get("confirmed") != "yes":
        title = gettext("%(action)s: order %(order_no)s?") % {"action": spec.label, "order_no": order.order_no}
        return confirm_page(request, title=title, danger=spec.danger, back=back, form=form)
    data = dict(form.cleaned_data)
    if hasattr(form, "items"):
        data["items"] = form.items()
    result = run_service(request, lambda: spec.run(request.user, order, data), success=str(spec.done))
    note = spec.note(result) if spec.note and result is not None else None
    if note:
        messages.info(request, note)
    return redirect(back)


def confirm_page(
    request: HttpRequest, *, title: str, danger: bool, back: str, form: Form | None = None
) -> HttpResponse:
    """The confirm step without JavaScript: the posted fields again, with ``confirmed=yes``.

    The summary names each field by its ``form`` label (in the reader's language), not by its code."""
    fields = [
        (name, value)
        for name in request.POST
        if name not in ("csrfmiddlewaretoken", "confirmed")
        for value in request.POST.getlist(name)
    ]
    labels = {name: form[name].label for name in form.fields} if form is not None else {}
    summary = [(labels.get(name, name), value) for name, value in fields if value and name != "next"]
    return render(
        request,
        "console/confirm.html",
        {
            "title": title,
            "action_url": request.path,
            "fields": fields,
            "summary": summary,
            "danger": danger,
            "back": back,
        },
    )
