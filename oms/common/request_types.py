"""Request types of views that only a signed-in user reaches (DRF's IsAuthenticated, Django's login_required or
the console's staff check): their ``user`` is a ``User``, never ``AnonymousUser``. For annotations only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    class AuthenticatedRequest(Request):
        user: User

    class AuthenticatedHttpRequest(HttpRequest):
        user: User
else:
    AuthenticatedRequest = Request
    AuthenticatedHttpRequest = HttpRequest
