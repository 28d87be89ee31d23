from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from oms.accounts.services import register_customer
from oms.accounts.throttle import signup_limited
from oms.storefront.forms import SignUpForm
from oms.web_vendor.helpers import safe_next


class ShopLoginView(LoginView):
    """One login for everybody: customers land in the shop, staff in the console (unless ``next`` says where)."""

    template_name = "storefront/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        next_url = context.get("next") or ""
        signup_url = reverse("storefront:signup")
        context["signup_url"] = f"{signup_url}?next={quote(next_url, safe='/')}" if next_url else signup_url
        return context

    def get_default_redirect_url(self) -> str:
        return reverse("console:dashboard") if self.request.user.is_staff else reverse("storefront:home")


class ShopLogoutView(LogoutView):
    next_page = "/"


def signup(request: HttpRequest) -> HttpResponse:
    """Create an account, then log in with it.

    A taken username gets the same answer as a free one (nothing is created for it), so the form cannot be used to
    find out which usernames exist; whether an account is yours shows only when you log in, and log-ins are
    throttled (oms.accounts.throttle). Sign-ups are limited per client address (``OMS_SIGNUP_RATE``).
    """
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        limited, seconds = signup_limited(request)
        if limited:
            message = _("Too many sign-ups from your network. Try again later.")
            context = {"message": message, "minutes": math.ceil(seconds / 60), "back": request.path}
            response = render(request, "accounts/too_many_attempts.html", context, status=429)
            response["Retry-After"] = str(seconds)
            return response
        if form.is_valid():
            username = form.cleaned_data["username"]
            register_customer(username=username, password=form.cleaned_data["password1"])
            messages.info(
                request,
                _(
                    "Thank you. If the username “%(username)s” was free, your account is ready: log in with it. "
                    "If it was already taken, nothing was created: log in with that account's password, or sign "
                    "up again with another username."
                )
                % {"username": username},
            )
            login_url = reverse("storefront:login")
            next_url = safe_next(request, "")
            return redirect(f"{login_url}?{urlencode({'next': next_url})}" if next_url else login_url)
    return render(request, "storefront/signup.html", {"form": form, "next": request.GET.get("next", "")})
