"""Request checks that hold for every URL, before any view runs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from oms.common.api import database_unavailable_answer, error_body
from oms.common.db_outage import RETRY_AFTER_SECONDS, is_database_unavailable
from oms.common.errors import ErrorCode

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RejectNulBytesMiddleware:
    """Answer 400 to a path, query string or form field holding a NUL byte.

    PostgreSQL cannot store or even compare text with NUL in it, so such a value would reach the database as a
    500 wherever a view filters on it (SQLite and MariaDB just find nothing). No real client sends one; refusing
    here covers every page and endpoint at once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_nul(request):
            message = _("The request holds a NUL (0x00) character; remove it and send it again.")
            if _is_api(request):
                return JsonResponse(error_body(ErrorCode.VALIDATION_ERROR, message), status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _holds_nul(request: HttpRequest) -> bool:
    if NUL in request.path or _fields_hold_nul(request.GET):
        return True
    # Form bodies of the pages only: the API takes JSON, whose serializers refuse NUL, and answers other bodies
    # with a 415 that reading them here would spoil.
    if request.method != "POST" or request.content_type not in FORM_TYPES or _is_api(request):
        return False
    try:
        return _fields_hold_nul(request.POST)
    except MultiPartParserError:
        return False  # a broken body: the view (or DRF) answers it with a 400 of its own


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _fields_hold_nul(fields: QueryDict) -> bool:
    return any(NUL in key or any(NUL in str(value) for value in values) for key, values in fields.lists())


class DatabaseUnavailableMiddleware:
    """Answer ``503`` with ``Retry-After`` when a view fails because the database cannot be reached (restarting,
    down, refusing connections): JSON ``service_unavailable`` under /api/, a plain page elsewhere. Any other error
    is left to Django (a 500). The page is rendered without the request, so it needs no session or user.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        if _is_api(request):
            answer = database_unavailable_answer()
            return JsonResponse(answer["data"], status=answer["status"], headers=answer["headers"])
        page = render_to_string("common/service_unavailable.html", {"retry_after": RETRY_AFTER_SECONDS})
        return HttpResponse(page, status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
