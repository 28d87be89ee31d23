"""The order list: filters through oms.orders.selectors, keyset pages, bulk confirm and the pick list."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from oms.common.testing import csrf_token_in_get_forms
from oms.console.views import orders as order_views

pytestmark = pytest.mark.django_db


def listed(html: str) -> list[str]:
    return re.findall(r'id="sel-(\d+)"', html)


def test_filters_by_status_customer_order_number_and_sku(staff_browser, make_paid, make_pending):
    paid, pending = make_paid(), make_pending()
    assert listed(staff_browser.get("/console/orders/?status=paid").content.decode()) == [paid.order_no]
    assert listed(staff_browser.get(f"/console/orders/?order_no={pending.order_no}").content.decode()) == [
        pending.order_no
    ]
    sku = pending.items.get().sku_code
    assert listed(staff_browser.get(f"/console/orders/?sku={sku}").content.decode()) == [pending.order_no]
    assert set(listed(staff_browser.get("/console/orders/?customer=alice").content.decode())) == {
        paid.order_no,
        pending.order_no,
    }
    assert listed(staff_browser.get("/console/orders/?customer=nobody").content.decode()) == []
    # Bad input filters by nothing rather than failing.
    assert staff_browser.get("/console/orders/?created_from=notadate&after=garbage").status_code == 200


def test_keyset_pages_walk_every_order_once_both_ways(staff_browser, make_pending, monkeypatch):
    monkeypatch.setattr(order_views, "PAGE_SIZE", 2)
    orders = [make_pending() for _ in range(5)]
    expected = [o.order_no for o in sorted(orders, key=lambda o: (o.created_at, o.pk), reverse=True)]
    seen, url, pages = [], "/console/orders/", []
    while url:
        html = staff_browser.get(url).content.decode()
        pages.append(url)
        seen += listed(html)
        found = re.search(r'href="\?(after=[^"]+)"', html)
        url = f"/console/orders/?{found.group(1)}" if found else None
    assert seen == expected and len(pages) == 3
    last = staff_browser.get(pages[-1]).content.decode()
    newer = re.search(r'href="\?(before=[^"]+)"', last).group(1)
    assert listed(staff_browser.get(f"/console/orders/?{newer}").content.decode()) == expected[2:4]


def test_htmx_filtering_swaps_only_the_results(staff_browser, make_paid):
    make_paid()
    response = staff_browser.get("/console/orders/?status=paid&partial=1", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="order-results">') and "<html" not in html


def test_bulk_confirm_asks_first_then_confirms_and_reports_each_failure(staff_browser, make_paid, make_pending):
    first, second, unpaid = make_paid(), make_paid(), make_pending()
    numbers = [first.order_no, second.order_no, unpaid.order_no]
    ask = staff_browser.post("/console/orders/bulk/confirm/", {"order_no": numbers})
    assert ask.status_code == 200 and "Yes, go ahead" in ask.content.decode()
    first.refresh_from_db()
    assert first.status == "paid"

    done = staff_browser.post("/console/orders/bulk/confirm/", {"order_no": numbers, "confirmed": "yes"}, follow=True)
    html = done.content.decode()
    assert "Confirmed 2 orders for shipping." in html
    assert f"{unpaid.order_no}: An order in state" in html
    for order in (first, second):
        order.refresh_from_db()
        assert order.status == "awaiting_shipment" and order.shipments.count() == 1


def test_bulk_confirm_without_a_selection_says_so(staff_browser):
    response = staff_browser.post("/console/orders/bulk/confirm/", {"confirmed": "yes"}, follow=True)
    assert "Select at least one order first." in response.content.decode()


def test_pick_list_is_a_printable_page_of_the_selected_orders(staff, staff_browser, make_paid):
    order = make_paid(quantity=3)
    item = order.items.get()
    # As the order list's button sends it: the selection posted with the list's CSRF token.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    token = browser.get("/console/orders/").cookies["csrftoken"].value
    response = browser.post("/console/orders/pick-list/", {"order_no": order.order_no, "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Order {order.order_no}" in html and item.sku_code in html
    assert order.shipping_address["address"] in html
    html = staff_browser.get(f"/console/orders/pick-list/?order_no={order.order_no}").content.decode()
    assert f"Order {order.order_no}" in html and item.sku_code in html and "data-print" in html
    assert order.shipping_address["address"] in html


def test_no_form_of_the_order_list_sends_the_csrf_token_in_a_url(staff_browser, make_paid):
    make_paid()
    html = staff_browser.get("/console/orders/").content.decode()
    assert 'formaction="/console/orders/pick-list/"' in html
    assert "csrfmiddlewaretoken" in html  # the bulk form holds one, for its posts
    assert csrf_token_in_get_forms(html) == []
