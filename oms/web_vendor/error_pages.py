"""The pages a browser gets when something goes wrong outside a view: not found, server error, expired form.

Under ``/api/`` the answer stays the API's JSON error; elsewhere it is a page of the site the visitor is on: the
console's layout under ``/console/`` (for staff), the shop's everywhere else.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from oms.common.api import error_body, json_404, json_500
from oms.common.errors import ErrorCode

logger = logging.getLogger(__name__)
TEMPLATE = "web/error_page.html"
# Set on the CSRF failure answer, so that the page script can tell an expired page from other refusals.
ERROR_HEADER = "X-OMS-Error"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _in_console(request: HttpRequest, *, look_up_user: bool = True) -> bool:
    if not request.path.startswith("/console/"):
        return False
    if not look_up_user:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


def _context(request: HttpRequest, *, console: bool, title: str, message: str) -> dict:
    if console:
        home_url, home_label = reverse("console:dashboard"), _("Back to the console")
    else:
        home_url, home_label = reverse("storefront:home"), _("Back to the shop")
    return {
        "layout": "console/base.html" if console else "storefront/base.html",
        "title": title,
        "message": message,
        "home_url": home_url,
        "home_label": home_label,
    }


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:  # noqa: ARG001
    if _is_api(request):
        return json_404(request, exception)
    context = _context(
        request,
        console=_in_console(request),
        title=_("Page not found"),
        message=_("There is no page at this address. It may have moved, or the link may be mistyped."),
    )
    return HttpResponse(loader.render_to_string(TEMPLATE, context, request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Drawn without the request's context processors: the error may be the database itself, so nothing here
    looks up the session or the user (the page shows as to a visitor who is not logged in)."""
    if _is_api(request):
        return json_500(request)
    context = _context(
        request,
        console=_in_console(request, look_up_user=False),
        title=_("Something went wrong"),
        message=_("The server could not answer this request. The error has been logged; please try again shortly."),
    )
    try:
        body = loader.render_to_string(TEMPLATE, {**context, "user": AnonymousUser()})
    except Exception:  # noqa: BLE001 - the error page itself must not fail; a plain answer is the last resort
        logger.exception("The server error page could not be drawn")
        return HttpResponse(_("Server error. Please try again shortly."), status=500, content_type="text/plain")
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form older than its security token (a tab left open across a log-in, a log-out): say so and offer a
    reload, instead of Django's bare "CSRF verification failed"."""
    if _is_api(request):
        body = error_body(ErrorCode.PERMISSION_DENIED, _("CSRF check failed: send the X-CSRFToken header."))
        return JsonResponse(body, status=403)
    if reason == REASON_NO_CSRF_COOKIE:
        message = _(
            "Your browser did not send this site's cookie, so nothing was done. "
            "Allow cookies for this site, then reload the page and try again."
        )
    else:
        message = _(
            "Nothing was done: this page was opened before your last log-in or log-out, or is very old. "
            "Reload the page and try again."
        )
    context = _context(request, console=_in_console(request), title=_("This page has expired"), message=message)
    referer = request.headers.get("Referer", "")
    safe = url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure())
    context["reload_url"] = referer if referer and safe else context["home_url"]
    response = HttpResponse(loader.render_to_string(TEMPLATE, context, request), status=403)
    response[ERROR_HEADER] = "csrf_failed"
    return response
