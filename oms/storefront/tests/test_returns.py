"""Returns in the shop: ask from the order page, send the parcel back, withdraw — each after a confirm step (htmx's
dialog, or a confirm page without JavaScript); only ever one's own."""

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
from oms.orders.tests.factories import pending_order

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
    response = client.post(url, {**(data or {}), "confirmed": "yes"}, follow=True, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden fields of the confirm page's own form (not the language switcher's)."""
    form = re.search(r'<form method="post" action="[^"]*" class="actions".*?</form>', html, re.S)
    assert form is not None
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))


def test_delivered_items_may_be_returned_from_the_order_page(shopper, delivered, tea):
    html = page_of(shopper, delivered)
    assert "Request a return" in html and 'hx-confirm="Ask to send the chosen items' in html
    assert f'name="qty_{tea.code}"' in html and 'max="2"' in html and "up to 2, until" in html
    form = re.search(r'<form method="get" action="/orders/\d+/returns/" id="return-form".*?</form>', html, re.S)
    assert form and """hx-vals='{"confirmed": "yes"}'""" in form.group(0)
    assert "csrfmiddlewaretoken" not in form.group(0)  # a GET form: the token would end up in the URL
    assert 'hx-headers=\'{"X-CSRFToken": ' in html  # htmx sends it in a header instead


def test_nothing_to_return_before_delivery(shopper, customer, address, tea):
    unpaid = pending_order(customer, address, (tea, 1))
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


def test_without_javascript_a_return_is_requested_through_a_confirm_page(delivered, tea):
    shopper = Client(enforce_csrf_checks=True)
    shopper.force_login(delivered.customer)
    url = f"/orders/{delivered.order_no}/returns/"

    confirm = shopper.get(url, {f"qty_{tea.code}": "1", "reason": "Too strong", "confirmed": "yes", "evil": "x"})

    html = confirm.content.decode()
    assert confirm.status_code == 200 and not ReturnRequest.objects.exists()
    assert f"Send these items of order {delivered.order_no} back?" in html
    name = delivered.items.get().name
    assert f"<dt>{name} ({tea.code})</dt><dd>1 unit</dd>" in html and "<dd>Too strong</dd>" in html
    assert f'<form method="post" action="{url}"' in html and "Yes, request the return" in html
    assert f'<a class="button secondary" href="/orders/{delivered.order_no}/#returns">No, go back</a>' in html
    fields = hidden_fields(html)
    token = fields.pop("csrfmiddlewaretoken")
    assert fields == {f"qty_{tea.code}": "1", "reason": "Too strong", "confirmed": "yes"}  # no stray parameters
    assert shopper.post(url, fields).status_code == 403  # CSRF still guards the post
    assert not ReturnRequest.objects.exists()

    done = shopper.post(url, {**fields, "csrfmiddlewaretoken": token}, follow=True)

    assert done.redirect_chain[-1][0] == f"/orders/{delivered.order_no}/"
    assert "Return requested" in done.content.decode()
    ret = ReturnRequest.objects.get()
    assert (ret.reason, [(line.sku_code, line.quantity) for line in ret.lines.all()]) == ("Too strong", [(tea.code, 1)])


def test_a_post_without_confirmation_only_asks(shopper, delivered, tea):
    url = f"/orders/{delivered.order_no}/returns/"
    response = shopper.post(url, {f"qty_{tea.code}": "2", "reason": "Too strong"})
    html = response.content.decode()
    assert response.status_code == 200 and "Send these items of order" in html and "<dd>2 units</dd>" in html
    assert not ReturnRequest.objects.exists()
    response = shopper.get(url, {f"qty_{tea.code}": "3", "reason": "Too strong"}, follow=True)  # only 2 returnable
    assert response.redirect_chain[-1][0] == f"/orders/{delivered.order_no}/#returns"
    assert "less than or equal to 2" in response.content.decode() and not ReturnRequest.objects.exists()


def test_sending_back_and_withdrawing_confirm_on_their_own_pages(shopper, staff, delivered, tea):
    ret = requested_return(delivered, (tea.code, 1))
    base = f"/orders/{delivered.order_no}/returns/{ret.pk}"
    html = shopper.get(f"{base}/cancel/").content.decode()
    assert f"Withdraw return request #{ret.pk}?" in html and f"<dd>1 × {tea.code}</dd>" in html
    assert 'class="danger">Yes, withdraw it</button>' in html and 'name="confirmed" value="yes"' in html
    ship = shopper.get(f"{base}/ship/", {"carrier": "SF", "tracking_no": "SF1"}, follow=True)
    assert ship.redirect_chain[-1][0] == f"/orders/{delivered.order_no}/#return-{ret.pk}"
    assert f"Return #{ret.pk} is not waiting for a parcel." in ship.content.decode()  # not approved yet

    services.approve_return(return_request=ret, actor=staff)
    html = shopper.get(f"{base}/ship/", {"carrier": "SF Express", "tracking_no": "SF123"}).content.decode()
    assert f"Did you send return #{ret.pk} with this tracking number?" in html
    assert "<dt>Carrier</dt><dd>SF Express</dd>" in html and "<dt>Tracking number</dt><dd>SF123</dd>" in html
    fields = hidden_fields(html)
    assert fields.pop("csrfmiddlewaretoken")
    assert fields == {"carrier": "SF Express", "tracking_no": "SF123", "confirmed": "yes"}
    ret.refresh_from_db()
    assert ret.status == "approved"
    html = post(shopper, f"{base}/ship/", {"carrier": "SF Express", "tracking_no": "SF123"})
    assert "we will refund the items once the parcel arrives" in html
    withdraw = shopper.get(f"{base}/cancel/", follow=True).content.decode()
    assert f"Return #{ret.pk} can no longer be withdrawn." in withdraw


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
        assert shopper.post(url, {**data, "confirmed": "yes"}).status_code == 404, url
        assert shopper.get(url, data).status_code == 404, url  # not even a confirm page
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
    data = {f"qty_{tea.code}": "1", "reason": "x", "confirmed": "yes"}
    response = Client().post(f"/orders/{delivered.order_no}/returns/", data)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    response = Client().get(f"/orders/{delivered.order_no}/returns/", data)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert not ReturnRequest.objects.exists()
