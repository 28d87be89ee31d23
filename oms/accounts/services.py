from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser
from rest_framework.authtoken.models import Token

from oms.common.errors import ErrorCode, OmsError


class InvalidCredentials(OmsError):
    status = 400
    code = ErrorCode.INVALID_CREDENTIALS


def issue_token(*, username: str, password: str, request=None) -> Token:
    """Return the user's API token (created on first use). Raises InvalidCredentials."""
    user: AbstractBaseUser | None = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        raise InvalidCredentials("Unknown username or wrong password.")
    token, _ = Token.objects.get_or_create(user=user)
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
    ],
}


def ensure_staff_groups() -> None:
    """Create the staff groups with their permissions (idempotent). Staff get rights by joining a group."""
    from django.contrib.auth.models import Group, Permission

    for group_name, perm_names in STAFF_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        perms = []
        for name in perm_names:
            app_label, codename = name.split(".")
            perms += list(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.add(*perms)
