"""Who may open console pages: signed-in staff, with the permission a page names.

Each console view declares its permission once, with ``staff_required(perm)``; that declaration is the rule,
read back by ``may_open`` wherever the console shows a link or a card for a page (the dashboard, the menu).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import resolve, reverse
from django.utils.translation import gettext


def forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "console/forbidden.html", {"reason": reason}, status=403)


def staff_required(perm: str | None = None) -> Callable:
    """Anonymous visitors go to the login page; signed-in non-staff (or staff without ``perm``) get a 403 page.

    The view keeps ``perm`` as its ``required_perm``: the one statement of who may open it.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.is_staff:
                return forbidden(request, gettext("The console is for staff. Customers: your orders are in the shop."))
            if perm and not request.user.has_perm(perm):
                return forbidden(
                    request,
                    gettext("This page needs the permission “%(perm)s”; ask an administrator.") % {"perm": perm},
                )
            return view(request, *args, **kwargs)

        wrapped.required_perm = perm  # type: ignore[attr-defined]
        return wrapped

    return decorator


def required_perm(url_name: str, **kwargs) -> str | None:
    """The permission the console page ``url_name`` declares (None: any staff)."""
    return resolve(reverse(url_name, kwargs=kwargs or None)).func.required_perm  # type: ignore[attr-defined]  # set by the decorator above


def may_open(user: User | AnonymousUser, url_name: str, **kwargs) -> bool:
    """Whether ``user`` may open the console page ``url_name``: the same rule its view applies."""
    if not (user.is_authenticated and user.is_staff):
        return False
    perm = required_perm(url_name, **kwargs)
    return perm is None or user.has_perm(perm)
