"""Return reads: visibility, and what an order may still send back until when."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from oms.accounts.tests.factories import UserFactory
from oms.aftersales import selectors
from oms.aftersales.errors import ReturnNotFound
from oms.aftersales.tests.factories import delivered_order, requested_return
from oms.inventory.tests.factories import WarehouseFactory
from oms.shipping.tests.factories import stocked_sku

pytestmark = pytest.mark.django_db


@pytest.fixture
def tea():
    return stocked_sku(WarehouseFactory(), on_hand=10, price="30.00")


def test_customers_see_their_own_returns_and_staff_see_all(customer, other_customer, staff, address, tea):
    mine = requested_return(
        delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 1)]), (tea.code, 1)
    )
    theirs = requested_return(
        delivered_order(customer=other_customer, staff=staff, address=address, lines=[(tea, 1)]), (tea.code, 1)
    )

    assert list(selectors.returns_visible_to(customer)) == [mine]
    assert set(selectors.returns_visible_to(staff)) == {mine, theirs}
    with pytest.raises(ReturnNotFound):
        selectors.return_detail(user=customer, return_id=theirs.pk)
    with pytest.raises(ReturnNotFound):
        selectors.return_detail(user=customer, return_id=2**63)
    # Staff without the right to see every order are customers here.
    assert list(selectors.returns_visible_to(UserFactory(is_staff=True))) == []


def test_the_list_filters_by_status_and_order(customer, staff, address, tea):
    order = delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 2)])
    first = requested_return(order, (tea.code, 1))
    second = requested_return(order, (tea.code, 1))
    from oms.aftersales import services

    services.approve_return(return_request=second, actor=staff)

    assert list(selectors.return_list(user=staff, status="requested")) == [first]
    assert list(selectors.return_list(user=staff, order_no=order.order_no)) == [second, first]
    assert list(selectors.return_list(user=staff, order_no="nope")) == []


def test_returnable_now_counts_claims_and_the_window(customer, staff, address, tea):
    delivered_at = timezone.now() - timedelta(days=2)
    order = delivered_order(
        customer=customer, staff=staff, address=address, lines=[(tea, 3)], delivered_at=delivered_at
    )
    requested_return(order, (tea.code, 1))

    [line] = selectors.returnable_now(order=order)

    assert line == {
        "sku": tea.code,
        "name": tea.name,
        "bought": 3,
        "returnable": 2,
        "window_closes_at": delivered_at + timedelta(days=7),
    }
    [late] = selectors.returnable_now(order=order, now=delivered_at + timedelta(days=8))
    assert (late["returnable"], late["window_closes_at"]) == (0, None)
