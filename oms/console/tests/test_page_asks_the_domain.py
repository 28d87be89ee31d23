"""The console order page offers exactly the actions the domains allow the signed-in staff member, no more, no
fewer: over orders in many states and staff with all, some or none of the rights to act."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from oms.accounts.tests.factories import UserFactory
from oms.aftersales import allowed as returns_allowed
from oms.aftersales import services
from oms.aftersales.tests.factories import delivered_order, requested_return
from oms.console.actions import ACTIONS
from oms.console.return_actions import RETURN_ACTIONS
from oms.orders.selectors import order_detail
from oms.payments.exceptions import record_payment_failure
from oms.payments.models import Payment
from oms.payments.services import start_gateway_payment
from oms.shipping import services as shipping
from oms.shipping.models import ShipmentStatus
from oms.shipping.tests.factories import shipped_order, stocked_sku

pytestmark = pytest.mark.django_db


def _staff_with(*perms: str):
    user = UserFactory.create(username=f"staff-{'-'.join(p.split('.')[1] for p in perms) or 'none'}", is_staff=True)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


@pytest.fixture
def orders(customer, staff, address, make_paid, make_pending, rf):
    """Orders in the states the page acts on, each made through the real services."""
    failed_payment = make_pending()
    request = rf.get("/")
    start_gateway_payment(order=failed_payment, method="alipay", channel="page", request=request)
    record_payment_failure(payment=Payment.objects.get(order=failed_payment), reason="risk control")
    confirmed = shipping.confirm_order(order=make_paid(), actor=staff)
    lost, parcel = shipped_order(customer=customer, staff=staff, address=address, tracking_prefix="LOST")
    shipping.record_tracking_event(
        carrier="sim",
        event_id="lost-1",
        tracking_no=parcel.tracking_no,
        status=ShipmentStatus.EXCEPTION,
        occurred_at=timezone.now(),
    )
    shipped, _ = shipped_order(customer=customer, staff=staff, address=address)
    return {
        "pending_payment": (make_pending(), {"offline-payment", "reallocate", "cancel"}),
        "payment_failed": (failed_payment, {"offline-payment", "reallocate", "cancel", "resolve"}),
        "paid": (make_paid(), {"confirm", "reallocate", "cancel", "refund"}),
        "awaiting_shipment": (confirmed, {"ship", "reallocate", "cancel", "refund"}),
        "shipped": (shipped, {"refund"}),
        "shipment_failed": (lost, {"reship", "refund"}),
    }


def _offered(html: str, order_no: str) -> set[str]:
    return set(re.findall(rf'action="/console/orders/{order_no}/([\w-]+)/"', html))


@pytest.mark.parametrize(
    "rights",
    [
        "all",
        ("orders.view_all_orders",),
        ("orders.view_all_orders", "payments.add_refund"),
        ("orders.view_all_orders", "orders.manage_orders"),
    ],
)
def test_the_order_page_offers_exactly_what_the_domain_allows(orders, staff, rights) -> None:
    user = staff if rights == "all" else _staff_with(*rights)
    browser = Client()
    browser.force_login(user)
    for state, (order, with_every_right) in orders.items():
        order.refresh_from_db()
        assert order.status == state
        html = browser.get(f"/console/orders/{order.order_no}/").content.decode()
        detail = order_detail(user=user, order_no=order.order_no)
        allowed = {name for name, action in ACTIONS.items() if action.allowed(order=detail, user=user)}
        assert _offered(html, order.order_no) == allowed, state
        if rights == "all":
            assert allowed == with_every_right, state
        elif rights == ("orders.view_all_orders",):
            assert allowed == set(), state


def test_the_returns_panel_offers_exactly_what_the_domain_allows(customer, staff, address, warehouse) -> None:
    sku = stocked_sku(warehouse)
    order = delivered_order(customer=customer, staff=staff, address=address, lines=[(sku, 3)])
    asked = requested_return(order, (sku.code, 1))
    approved = requested_return(order, (sku.code, 1))
    services.approve_return(return_request=approved, actor=staff)
    for user, expected in [
        (staff, {asked.pk: {"approve", "reject"}, approved.pk: set()}),
        (_staff_with("orders.view_all_orders"), {asked.pk: set[str](), approved.pk: set[str]()}),
    ]:
        browser = Client()
        browser.force_login(user)
        html = browser.get(f"/console/orders/{order.order_no}/").content.decode()
        for ret in (asked, approved):
            ret.refresh_from_db()
            offered = set(re.findall(rf'action="/console/returns/{ret.pk}/([\w-]+)/"', html))
            allowed = {name for name, action in RETURN_ACTIONS.items() if action.allowed(ret=ret, user=user)}
            assert offered == allowed == expected[ret.pk]
            assert returns_allowed.can_cancel_return(ret=ret, user=user) is (user == staff)
