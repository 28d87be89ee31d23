from __future__ import annotations

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from oms.accounts import throttle
from oms.common.errors import ErrorCode, OmsError


class InvalidCredentials(OmsError):
    status = 400
    code = ErrorCode.INVALID_CREDENTIALS


class TooManyAttempts(OmsError):
    status = 429
    code = ErrorCode.TOO_MANY_ATTEMPTS

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


def register_customer(*, username: str, password: str) -> User | None:
    """Create a customer account; None, creating nothing, when the username is taken (in any letter case).

    The password is hashed either way, so both outcomes take the same time: a caller that answers both alike
    (the shop's sign-up) tells nobody which usernames exist.
    """
    user_model = get_user_model()
    hashed = make_password(password)
    # Lower() on both sides, not __iexact: that is a LIKE, case-sensitive under MariaDB's binary collation.
    if user_model.objects.annotate(name=Lower("username")).filter(name=Lower(Value(username))).exists():
        return None
    user = user_model(username=username, password=hashed)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # taken by a concurrent sign-up
        return None
    return user


def issue_token(*, username: str, password: str, request: HttpRequest) -> Token:
    """Return the user's API token (created on first use). Raises InvalidCredentials or TooManyAttempts.

    ``request`` is required: the log-in is counted, and refused while locked out, by ``oms.accounts.throttle``.
    """
    user: User | None = authenticate(request, username=username, password=password)
    if throttle.is_locked_out(request):
        raise TooManyAttempts(throttle.lockout_message(), retry_after=throttle.retry_after(request, username))
    if user is None or not user.is_active:
        raise InvalidCredentials(_("Unknown username or wrong password."))
    throttle.forget_account_failures(username=user.get_username())
    token, _created = Token.objects.get_or_create(user=user)
    return token


STAFF_GROUPS: dict[str, list[str]] = {
    "Order managers": [
        "orders.view_order",
        "orders.view_all_orders",
        "orders.manage_orders",
        "payments.view_payment",
        "payments.add_refund",
        "payments.view_refund",
        "payments.top_up_balance",
        "catalog.view_sku",
        "inventory.view_stock",
        "inventory.view_warehouse",
        "shipping.view_shipment",
        "shipping.view_shipmentline",
        "shipping.view_trackingevent",
        "aftersales.view_returnrequest",
        "aftersales.view_returnline",
        "aftersales.view_returnevent",
        "aftersales.manage_returns",
    ],
    "Inventory managers": [
        "catalog.view_sku",
        "catalog.add_sku",
        "catalog.change_sku",
        "catalog.manage_catalog",
        "catalog.view_product",
        "catalog.add_product",
        "catalog.change_product",
        "inventory.view_warehouse",
        "inventory.view_stock",
        "inventory.manage_stock",
        "inventory.view_stockmovement",
        "purchasing.view_supplier",
        "purchasing.add_supplier",
        "purchasing.change_supplier",
        "purchasing.view_purchaseorder",
        "purchasing.view_purchaseorderline",
        "purchasing.view_purchaseorderevent",
        "purchasing.manage_purchase_orders",
        "planning.view_skupolicy",
        "planning.view_supplierpolicy",
        "planning.change_supplierpolicy",
        "planning.add_supplierpolicy",
        "planning.view_forecast",
        "planning.manage_planning",
    ],
}


def ensure_staff_groups() -> None:
    """Create the staff groups with their permissions (idempotent). Staff get rights by joining a group."""
    from django.contrib.auth.models import Group, Permission

    for group_name, perm_names in STAFF_GROUPS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        perms = []
        for name in perm_names:
            app_label, codename = name.split(".")
            perms += list(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.add(*perms)
