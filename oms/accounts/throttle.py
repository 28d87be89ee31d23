"""Brute-force protection of log-ins (django-axes) and the sign-up rate (django-ratelimit).

Every log-in goes through ``django.contrib.auth.authenticate(request=...)``: the shop's and the admin's login
forms, and the API's token endpoint (``services.issue_token``). Axes counts each failure by account (the username
as typed, whether or not such an account exists, so the answers never tell) and by client address, in the
database. An account is locked after ``AXES_FAILURE_LIMIT`` failures, an address after
``OMS_LOGIN_FAILURES_PER_ADDRESS``, both until ``AXES_COOLOFF_TIME`` has passed since their last counted failure;
while locked even the right password is refused. A successful log-in clears that account's failures only.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Max, Q, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

SIGNUP_GROUP = "oms.signup"


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind ``OMS_TRUSTED_PROXIES`` proxies the address the outermost of
    them saw (each appends the peer it saw to X-Forwarded-For; anything further left is the client's own claim).

    IPv6 addresses count by their /64 network: one subscriber line holds a whole /64.
    """
    address = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.OMS_TRUSTED_PROXIES
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:45]
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def _recent(request: HttpRequest) -> QuerySet[AccessAttempt]:
    cool_off = get_cool_off(request) or timedelta(0)
    recent: QuerySet[AccessAttempt] = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off)
    return recent


def _failures(attempts: QuerySet[AccessAttempt]) -> int:
    return int(attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0)


class AccountAndAddressHandler(AxesDatabaseHandler):  # type: ignore[misc]  # django-axes publishes no types
    """Axes' database handler with a limit of its own for the client address.

    Axes compares one count with one limit (``AXES_FAILURE_LIMIT``, here the per-account limit). The count given
    is the account's failures, or the address's scaled to that limit, whichever is higher: it reaches the limit
    exactly when the account reaches ``AXES_FAILURE_LIMIT`` or the address ``OMS_LOGIN_FAILURES_PER_ADDRESS``.
    """

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        recent = _recent(request)
        account = _failures(recent.filter(username=get_client_username(request, credentials)))
        address = _failures(recent.filter(ip_address=request.axes_ip_address))
        per_account, per_address = settings.AXES_FAILURE_LIMIT, settings.OMS_LOGIN_FAILURES_PER_ADDRESS
        return max(account, address * per_account // per_address)


def lockout_message() -> str:
    """The same words for every lockout: they never say whether the account exists."""
    return _("Too many failed log-in attempts for this account or from your network. Try again later.")


def is_locked_out(request: HttpRequest) -> bool:
    """Whether axes refused or locked the log-in just tried with ``request``."""
    return bool(getattr(request, "axes_locked_out", False))


def retry_after(request: HttpRequest, username: str | None) -> int:
    """Seconds until the lockout of this username or address ends (at most the cool-off): when the last failure
    counted against either stops counting."""
    cool_off = get_cool_off(request) or timedelta(0)
    address = getattr(request, "axes_ip_address", None) or client_address(request)
    latest = _recent(request).filter(Q(username=username) | Q(ip_address=address)).aggregate(t=Max("attempt_time"))
    if latest["t"] is None:
        return max(1, math.ceil(cool_off.total_seconds()))
    left = latest["t"] + cool_off - timezone.now()
    return max(1, math.ceil(float(left.total_seconds())))


def forget_account_failures(*, username: str) -> None:
    """A successful log-in: clear the account's failures (from every address), never the address's others."""
    reset(username=username)


def signup_limited(request: HttpRequest) -> tuple[bool, int]:
    """Count a sign-up from this client address; (over ``OMS_SIGNUP_RATE``?, seconds until the window ends)."""
    usage = get_usage(request, group=SIGNUP_GROUP, key="ip", rate=settings.OMS_SIGNUP_RATE, increment=True)
    if usage is None:
        return False, 0
    return usage["should_limit"], max(1, int(usage["time_left"]))
