"""The answer to a locked-out log-in (axes' AXES_LOCKOUT_CALLABLE): JSON under /api/, a page elsewhere.

The same answer whether or not the account exists: the username is never looked up here.
"""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_client_username
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from oms.accounts.throttle import lockout_message, retry_after
from oms.common.api import error_body
from oms.common.errors import ErrorCode


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    seconds = retry_after(request, get_client_username(request, credentials))
    if request.path.startswith("/api/"):
        body = error_body(ErrorCode.TOO_MANY_ATTEMPTS, lockout_message(), {"retry_after": seconds})
        response: HttpResponse = JsonResponse(body, status=429)
    else:
        admin = request.path.startswith(reverse("admin:index"))
        template = "accounts/too_many_attempts_admin.html" if admin else "accounts/too_many_attempts.html"
        context = {"message": lockout_message(), "minutes": math.ceil(seconds / 60), "back": request.path}
        response = render(request, template, context, status=429)
    response["Retry-After"] = str(seconds)
    return response
