"""The shop's order page offers the customer exactly what the domains allow: pay, cancel, confirm receipt, ask
for a return, send a return back, withdraw it; over orders and returns in many states."""

from __future__ import annotations

import re

import pytest

from oms.aftersales import allowed as returns_allowed
from oms.aftersales import services as returns
from oms.aftersales.tests.factories import delivered_order, requested_return
from oms.orders.selectors import order_detail
from oms.orders.tests.factories import pending_order
from oms.payments import allowed as payments_allowed
from oms.payments.cancellation import cancel_or_refund_order
from oms.payments.tests.factories import paid_order
from oms.shipping import allowed as shipping_allowed
from oms.shipping.tests.factories import confirmed_order

pytestmark = pytest.mark.django_db


def _offered(html: str, order_no: str) -> set[str]:
    return set(re.findall(rf'action="/orders/{order_no}/([\w/-]+?)/"', html))


def _domain_allows(order, user) -> set[str]:
    order = order_detail(user=user, order_no=order.order_no)
    answers = {
        "pay": payments_allowed.can_pay(order=order, user=user),
        "cancel": payments_allowed.can_cancel(order=order, user=user),
        "confirm-receipt": shipping_allowed.can_confirm_receipt(order=order, user=user),
        "returns": returns_allowed.can_request_return(order=order, user=user),
    }
    for ret in order.returns.all():
        answers[f"returns/{ret.pk}/ship"] = returns_allowed.can_ship_return(ret=ret, user=user)
        answers[f"returns/{ret.pk}/cancel"] = returns_allowed.can_cancel_return(ret=ret, user=user)
    return {name for name, yes in answers.items() if yes}


def test_the_shop_order_page_offers_exactly_what_the_domain_allows(shopper, customer, staff, address, tea) -> None:
    unpaid = pending_order(customer, address, (tea, 1))
    offline = paid_order(customer=customer, staff=staff, address=address, lines=[(tea, 1)])
    confirmed = confirmed_order(customer=customer, staff=staff, address=address)
    cancelled = pending_order(customer, address, (tea, 1))
    cancel_or_refund_order(order=cancelled, actor=customer, reason="", by_staff=False)
    delivered = delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 3)])
    asked = requested_return(delivered, (tea.code, 1))
    approved = requested_return(delivered, (tea.code, 1))
    returns.approve_return(return_request=approved, actor=staff)
    expected = {
        unpaid: {"pay", "cancel"},
        offline: set(),  # paid offline: only the shop can cancel it and return the money
        confirmed: set(),  # paid offline too
        cancelled: set(),
        delivered: {
            "confirm-receipt",
            "returns",
            f"returns/{asked.pk}/cancel",
            f"returns/{approved.pk}/ship",
            f"returns/{approved.pk}/cancel",
        },
    }
    for order, offers in expected.items():
        html = shopper.get(f"/orders/{order.order_no}/").content.decode()
        assert _offered(html, order.order_no) == _domain_allows(order, customer) == offers, order.status
