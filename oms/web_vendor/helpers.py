"""Small pieces both web apps use: run a service from a form post, and tell htmx requests apart.

No business rules here: a page calls a service; an OmsError it raises becomes a message the next page shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from oms.common.errors import OmsError

T = TypeVar("T")


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def run_service(request: HttpRequest, call: Callable[[], T], *, success: str) -> T | None:
    """Call a service; on success flash ``success``, on a business error flash its message. Never raises OmsError."""
    try:
        result = call()
    except OmsError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, success)
    return result


def flash_form_errors(request: HttpRequest, form: Form) -> None:
    """Show a form's errors as one message each ("Tracking number: This field is required.")."""
    for name, errors in form.errors.items():
        label = form[name].label if name in form.fields else ""
        for error in errors:
            messages.error(
                request, _("%(label)s: %(error)s") % {"label": label, "error": error} if label else str(error)
            )


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The ``next`` field of a form when it points into this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback
