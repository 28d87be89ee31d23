"""Returns in the shop: ask from the order page, send the parcel back, withdraw; only ever one's own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from oms.accounts.tests.factories import StaffFactory, UserFactory
from oms.aftersales import services
from oms.aftersales.models import ReturnRequest
from oms.aftersales.tests.factories import delivered_order, requested_return
from oms.orders.services import OrderLineInput, place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return StaffFactory(username="ops")


@pytest.fixture
def delivered(customer, staff, address, tea):
    """Two teas, paid, shipped and delivered just now: both may go back for 7 days."""
    return delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 2)])


def page_of(client: Client, order) -> str:
    response = client.get(f"/orders/{order.order_no}/")
    assert response.status_code == 200
    return response.content.decode()


def post(client: Client, url: str, data: dict | None = None) -> str:
    """Post as the page's htmx form does after the confirm dialog, and follow back to the order page."""
    response = client.post(url, data or {}, follow=True, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def test_delivered_items_may_be_returned_from_the_order_page(shopper, delivered, tea):
    html = page_of(shopper, delivered)
    assert "Request a return" in html and 'hx-confirm="Ask to send the chosen items' in html
    assert f'name="qty_{tea.code}"' in html and 'max="2"' in html and "up to 2, until" in html
    assert "csrfmiddlewaretoken" in html


def test_nothing_to_return_before_delivery(shopper, customer, address, tea):
    unpaid = place_order(customer=customer, items=[OrderLineInput(tea.code, 1)], address=address).order
    html = page_of(shopper, unpaid)
    assert "Request a return" not in html and 'id="returns-h"' not in html


def test_request_a_return_then_send_the_parcel_back(shopper, staff, delivered, tea):
    html = post(shopper, f"/orders/{delivered.order_no}/returns/", {f"qty_{tea.code}": "1", "reason": "Too strong"})
    assert "Return requested" in html
    ret = ReturnRequest.objects.get()
    assert (ret.status, ret.reason, ret.customer_id) == ("requested", "Too strong", delivered.customer_id)
    assert [(line.sku_code, line.quantity) for line in ret.lines.all()] == [(tea.code, 1)]
    assert f"Return #{ret.pk}" in html and "We will look at your request shortly." in html
    assert "Withdraw request" in html and 'max="1"' in html  # one unit is still returnable
    assert "I sent it" not in html  # not before approval

    services.approve_return(return_request=ret, actor=staff)
    html = page_of(shopper, delivered)
    assert "please send the items back" in html and f'id="return-tracking-{ret.pk}"' in html
    html = post(
        shopper,
        f"/orders/{delivered.order_no}/returns/{ret.pk}/ship/",
        {"carrier": "SF Express", "tracking_no": "SF123456"},
    )
    ret.refresh_from_db()
    assert (ret.status, ret.carrier, ret.tracking_no) == ("shipped", "SF Express", "SF123456")
    assert "we will refund the items once the parcel arrives" in html and "SF123456" in html
    assert "Withdraw request" not in html  # too late once it is on its way

    services.receive_return(return_request=ret, actor=staff)
    assert "Refunded ¥30.00." in page_of(shopper, delivered)


def test_withdraw_a_request_frees_its_units(shopper, delivered, tea):
    ret = requested_return(delivered, (tea.code, 2))
    assert "Request a return" not in page_of(shopper, delivered)  # every unit is claimed
    html = post(shopper, f"/orders/{delivered.order_no}/returns/{ret.pk}/cancel/")
    ret.refresh_from_db()
    assert ret.status == "cancelled" and "Return request withdrawn." in html and "Withdrawn." in html
    assert "Request a return" in html and 'max="2"' in html
    html = post(shopper, f"/orders/{delivered.order_no}/returns/{ret.pk}/cancel/")
    assert "cannot become" in html and 'role="alert"' in html  # shown, not a 500


def test_a_rejection_says_why(shopper, staff, delivered, tea):
    ret = requested_return(delivered, (tea.code, 1))
    services.reject_return(return_request=ret, actor=staff, reason="The seal is broken")
    assert "Not accepted: The seal is broken." in page_of(shopper, delivered)


def test_errors_are_shown_on_the_order_page(shopper, delivered, tea):
    url = f"/orders/{delivered.order_no}/returns/"
    assert "Choose how many units of which item" in post(shopper, url, {f"qty_{tea.code}": "0", "reason": "x"})
    assert "Why are they going back?: This field is required." in post(shopper, url, {f"qty_{tea.code}": "1"})
    assert "less than or equal to 2" in post(shopper, url, {f"qty_{tea.code}": "3", "reason": "x"})
    assert not ReturnRequest.objects.exists()

    ret = requested_return(delivered, (tea.code, 1))
    ship = f"/orders/{delivered.order_no}/returns/{ret.pk}/ship/"
    html = post(shopper, ship, {"carrier": "SF", "tracking_no": "SF1"})  # not approved yet: the service says no
    assert "A return in state &#x27;requested&#x27; cannot become &#x27;shipped&#x27;." in html
    assert "Tracking number: This field is required." in post(shopper, ship, {"carrier": "SF"})
    ret.refresh_from_db()
    assert ret.status == "requested"


def test_the_window_closes(shopper, customer, staff, address, tea):
    old = delivered_order(
        customer=customer, staff=staff, address=address, lines=[(tea, 1)], delivered_at=timezone.now() - timedelta(8)
    )
    assert "Request a return" not in page_of(shopper, old)
    html = post(shopper, f"/orders/{old.order_no}/returns/", {f"qty_{tea.code}": "1", "reason": "Late"})
    assert "Choose how many units" in html and not ReturnRequest.objects.exists()


def test_customers_never_see_or_touch_another_customers_returns(shopper, staff, address, tea, delivered):
    bob = UserFactory(username="bob")
    bobs_order = delivered_order(customer=bob, staff=staff, address=address, lines=[(tea, 1)])
    bobs = requested_return(bobs_order, (tea.code, 1), reason="Bob's reason")
    mine = requested_return(delivered, (tea.code, 1))

    assert shopper.get(f"/orders/{bobs_order.order_no}/").status_code == 404
    urls = [
        (f"/orders/{bobs_order.order_no}/returns/", {f"qty_{tea.code}": "1", "reason": "x"}),
        (f"/orders/{bobs_order.order_no}/returns/{bobs.pk}/cancel/", {}),
        (f"/orders/{delivered.order_no}/returns/{bobs.pk}/cancel/", {}),  # my order, his return
        (f"/orders/{bobs_order.order_no}/returns/{bobs.pk}/ship/", {"carrier": "SF", "tracking_no": "SF1"}),
        (f"/orders/{bobs_order.order_no}/returns/{mine.pk}/cancel/", {}),  # his order, my return
        (f"/orders/{delivered.order_no}/returns/{10**30}/cancel/", {}),
    ]
    for url, data in urls:
        assert shopper.post(url, data).status_code == 404, url
    bobs.refresh_from_db()
    mine.refresh_from_db()
    assert (bobs.status, mine.status) == ("requested", "requested")
    assert ReturnRequest.objects.count() == 2

    listing = shopper.get("/returns/").content.decode()
    assert re.findall(r'href="/orders/\d+/#return-(\d+)"', listing) == [str(mine.pk)]
    assert "Bob's reason" not in page_of(shopper, delivered)


def test_staff_in_the_shop_see_only_their_own_returns(staff, delivered, tea):
    requested_return(delivered, (tea.code, 1))
    client = Client()
    client.force_login(staff)
    assert "No returns." in client.get("/returns/").content.decode()
    assert client.get(f"/orders/{delivered.order_no}/").status_code == 404


def test_returns_need_a_login(delivered, tea):
    assert Client().get("/returns/")["Location"] == "/login/?next=/returns/"
    response = Client().post(f"/orders/{delivered.order_no}/returns/", {f"qty_{tea.code}": "1", "reason": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not ReturnRequest.objects.exists()
