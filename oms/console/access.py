"""Who may open console pages: signed-in staff, with the permission a page names."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "console/forbidden.html", {"reason": reason}, status=403)


def staff_required(perm: str | None = None) -> Callable:
    """Anonymous visitors go to the login page; signed-in non-staff (or staff without ``perm``) get a 403 page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.is_staff:
                return forbidden(request, "The console is for staff. Customers: your orders are in the shop.")
            if perm and not request.user.has_perm(perm):
                return forbidden(request, f"This page needs the permission “{perm}”; ask an administrator.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
