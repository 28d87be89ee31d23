"""The return queue and the returns panel of the order page: confirm first, then the service; errors shown."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from oms.accounts.tests.factories import UserFactory
from oms.aftersales import services
from oms.aftersales.tests.factories import delivered_order, requested_return, shipped_return
from oms.inventory.tests.factories import stock_of
from oms.payments.errors import GatewayError
from oms.shipping.tests.factories import stocked_sku

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def tea(warehouse):
    return stocked_sku(warehouse, on_hand=10, price="30.00")


@pytest.fixture
def delivered(customer, staff, address, tea):
    """Two teas (60.00 + 10.00 shipping), paid offline, shipped and delivered just now."""

    def make():
        return delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 2)])

    return make


def act(client, ret, action, data=None):
    """Post a return action as the panel's htmx form does after the confirm dialog; follow to the order page."""
    response = client.post(
        f"/console/returns/{ret.pk}/{action}/", {**(data or {}), "confirmed": "yes"}, follow=True, headers=HX
    )
    assert response.status_code == 200
    ret.refresh_from_db()
    return response.content.decode()


def listed(html: str) -> list[str]:
    return re.findall(r'href="/console/orders/\d+/#return-(\d+)"', html)


def test_the_queue_shows_requested_returns_first_and_filters_by_status(staff_browser, staff, delivered, tea):
    waiting = requested_return(delivered(), (tea.code, 1))
    decided = requested_return(delivered(), (tea.code, 2))  # newer, but already approved
    services.approve_return(return_request=decided, actor=staff)

    html = staff_browser.get("/console/returns/").content.decode()
    assert listed(html) == [str(waiting.pk), str(decided.pk)]
    assert 'href="/console/returns/" aria-current="page"' in html
    assert f'href="/console/orders/{waiting.order.order_no}/"' in html and f"{tea.code} × 2" in html
    assert listed(staff_browser.get("/console/returns/?status=approved").content.decode()) == [str(decided.pk)]
    by_order = staff_browser.get(f"/console/returns/?order_no={waiting.order.order_no}").content.decode()
    assert listed(by_order) == [str(waiting.pk)]
    assert staff_browser.get("/console/returns/?status=nonsense&page=x").status_code == 200  # bad input: no filter


def test_the_order_page_shows_each_return_with_lines_timeline_and_actions(staff_browser, delivered, tea):
    order = delivered()
    ret = requested_return(order, (tea.code, 1), reason="Leaves are broken")
    html = staff_browser.get(f"/console/orders/{order.order_no}/").content.decode()
    assert f"Return #{ret.pk}" in html and "Leaves are broken" in html and "status-requested" in html
    assert f"1 × {tea.code}: Leaves are broken" in html  # the timeline of the return
    assert f'hx-confirm="Approve return #{ret.pk}?' in html and f'hx-confirm="Reject return #{ret.pk}?' in html
    assert "Receive and refund" not in html  # not before the parcel is on its way back
    assert "csrfmiddlewaretoken" in html
    assert "No returns." in staff_browser.get(f"/console/orders/{delivered().order_no}/").content.decode()


def test_an_action_without_confirmation_shows_a_confirm_step(staff_browser, delivered, tea):
    ret = requested_return(delivered(), (tea.code, 1))
    response = staff_browser.post(f"/console/returns/{ret.pk}/reject/", {"reason": "Used"})
    html = response.content.decode()
    assert response.status_code == 200 and f"Reject return: return #{ret.pk} of order" in html
    assert 'name="confirmed" value="yes"' in html and 'name="reason" value="Used"' in html
    ret.refresh_from_db()
    assert ret.status == "requested"


def test_approve_then_receive_restocks_and_refunds(staff_browser, staff, delivered, tea, warehouse):
    order = delivered()
    ret = requested_return(order, (tea.code, 1))
    html = act(staff_browser, ret, "approve", {"note": "OK, send it"})
    assert ret.status == "approved" and "Return approved" in html and "OK, send it" in html
    services.ship_return(return_request=ret, actor=order.customer, carrier="SF", tracking_no="SF777", by_staff=False)
    on_hand = stock_of(tea, warehouse).on_hand

    page = staff_browser.get(f"/console/orders/{order.order_no}/").content.decode()
    assert "SF <strong>SF777</strong>" in page and "Receive and refund" in page
    html = act(staff_browser, ret, "receive", {"restock": "on"})
    assert ret.status == "refunded" and ret.restocked
    assert "Parcel received." in html and f"Refunded ¥30.00 ({ret.refund.out_request_no})." in html
    assert stock_of(tea, warehouse).on_hand == on_hand + 1
    assert ret.refund.amount == Decimal("30.00")


def test_receive_without_restock(staff_browser, staff, delivered, tea, warehouse):
    ret = shipped_return(delivered(), (tea.code, 1), staff=staff)
    on_hand = stock_of(tea, warehouse).on_hand
    act(staff_browser, ret, "receive", {})  # the box unticked: no ``restock`` in the post
    assert (ret.status, ret.restocked) == ("refunded", False)
    assert stock_of(tea, warehouse).on_hand == on_hand


def test_reject_needs_a_reason_and_the_reason_is_kept(staff_browser, delivered, tea):
    ret = requested_return(delivered(), (tea.code, 1))
    html = act(staff_browser, ret, "reject", {"reason": ""})
    assert "Reason to reject: This field is required." in html and ret.status == "requested"
    html = act(staff_browser, ret, "reject", {"reason": "Opened and used"})
    assert ret.status == "rejected" and "Return rejected." in html and "Opened and used" in html
    assert "Approve return" not in html  # a dead end: no more actions


def test_a_failed_refund_is_shown_and_can_be_retried(staff_browser, staff, delivered, tea, monkeypatch):
    ret = shipped_return(delivered(), (tea.code, 1), staff=staff)

    def gateway_down(**kwargs):
        raise GatewayError("The gateway timed out.")

    monkeypatch.setattr(services, "refund_order", gateway_down)
    html = act(staff_browser, ret, "receive", {"restock": "on"})
    assert ret.status == "received"
    assert "The refund failed: The gateway timed out." in html and 'role="alert"' in html
    assert "Retry the refund" in html and "Refund failed: gateway_error" in html  # on the return's timeline

    html = act(staff_browser, ret, "refund")
    assert "The gateway timed out." in html and ret.status == "received"  # still down: shown, not a 500
    monkeypatch.undo()
    html = act(staff_browser, ret, "refund")
    assert ret.status == "refunded" and "Return refunded." in html and "Retry the refund" not in html


def test_business_errors_are_shown_on_the_page(staff_browser, staff, delivered, tea):
    ret = requested_return(delivered(), (tea.code, 1))
    act(staff_browser, ret, "approve")
    html = act(staff_browser, ret, "approve")  # a stale button
    assert "A return in state &#x27;approved&#x27; cannot become &#x27;approved&#x27;." in html
    html = act(staff_browser, ret, "receive", {"restock": "on"})  # not shipped back yet
    assert "cannot become &#x27;received&#x27;" in html and ret.status == "approved"


def test_unknown_returns_and_actions_are_404_pages(staff_browser, delivered, tea):
    ret = requested_return(delivered(), (tea.code, 1))
    assert staff_browser.post(f"/console/returns/{ret.pk}/explode/", {"confirmed": "yes"}).status_code == 404
    missing = staff_browser.post("/console/returns/99999999/approve/", {"confirmed": "yes"})
    assert missing.status_code == 404 and "No return 99999999" in missing.content.decode()
    huge = staff_browser.post(f"/console/returns/{10**30}/approve/", {"confirmed": "yes"})
    assert huge.status_code == 404


def test_customers_cannot_act_on_returns(customer_browser, delivered, tea):
    ret = requested_return(delivered(), (tea.code, 1))
    for action in ("approve", "reject", "receive", "refund"):
        response = customer_browser.post(f"/console/returns/{ret.pk}/{action}/", {"confirmed": "yes", "reason": "x"})
        assert response.status_code == 403
    assert customer_browser.get("/console/returns/").status_code == 403
    ret.refresh_from_db()
    assert ret.status == "requested"


def test_staff_who_do_not_manage_returns_see_them_but_cannot_act(delivered, tea):
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_all_orders"))
    client = Client()
    client.force_login(viewer)
    ret = requested_return(delivered(), (tea.code, 1))
    assert listed(client.get("/console/returns/").content.decode()) == [str(ret.pk)]
    page = client.get(f"/console/orders/{ret.order.order_no}/").content.decode()
    assert f"Return #{ret.pk}" in page and "Approve return" not in page
    response = client.post(f"/console/returns/{ret.pk}/approve/", {"confirmed": "yes"})
    assert response.status_code == 403 and "aftersales.manage_returns" in response.content.decode()
    ret.refresh_from_db()
    assert ret.status == "requested"
