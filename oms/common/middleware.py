"""Request checks that hold for every URL, before any view runs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict

from oms.common.api import error_body
from oms.common.errors import ErrorCode

NUL = "\x00"


class RejectNulBytesMiddleware:
    """Answer 400 to a path, query string or form field holding a NUL byte.

    PostgreSQL cannot store or even compare text with NUL in it, so such a value would reach the database as a
    500 wherever a view filters on it (SQLite and MariaDB just find nothing). No real client sends one; refusing
    here covers every page and endpoint at once. JSON bodies need no check: the API's serializers refuse NUL.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_nul(request):
            message = "The request holds a NUL (0x00) character; remove it and send it again."
            if request.path.startswith("/api/"):
                return JsonResponse(error_body(ErrorCode.VALIDATION_ERROR, message), status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _holds_nul(request: HttpRequest) -> bool:
    if NUL in request.path or _fields_hold_nul(request.GET):
        return True
    form = request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
    return request.method == "POST" and form and _fields_hold_nul(request.POST)


def _fields_hold_nul(fields: QueryDict) -> bool:
    return any(NUL in key or any(NUL in str(value) for value in values) for key, values in fields.lists())
