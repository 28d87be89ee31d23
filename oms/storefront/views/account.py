from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from oms.storefront.forms import SignUpForm
from oms.web_vendor.helpers import safe_next


class ShopLoginView(LoginView):
    """One login for everybody: customers land in the shop, staff in the console (unless ``next`` says where)."""

    template_name = "storefront/login.html"

    def get_default_redirect_url(self) -> str:
        return reverse("console:dashboard") if self.request.user.is_staff else reverse("storefront:home")


class ShopLogoutView(LogoutView):
    next_page = "/"


def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(safe_next(request, reverse("storefront:home")))
    return render(request, "storefront/signup.html", {"form": form, "next": request.GET.get("next", "")})
