"""Console pages are for staff: anonymous visitors log in first, customers are refused, staff see every page."""

from __future__ import annotations

import pytest
from django.test import Client

from oms.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/console/",
    "/console/orders/",
    "/console/returns/",
    "/console/exceptions/",
    "/console/inventory/",
    "/console/reports/",
    "/console/orders/pick-list/",
    "/console/purchase-orders/",
    "/console/purchase-orders/new/",
]


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_form(path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("path", PAGES)
def test_customers_are_refused(customer_browser, path):
    response = customer_browser.get(path)
    assert response.status_code == 403
    assert "The console is for staff" in response.content.decode()


def test_customers_cannot_act_on_orders(customer_browser, make_paid):
    order = make_paid()
    response = customer_browser.post(f"/console/orders/{order.order_no}/confirm/", {"confirmed": "yes"})
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == "paid"


def test_staff_without_order_rights_cannot_act(make_paid):
    clerk = UserFactory(username="clerk", is_staff=True)  # staff, but in no staff group
    client = Client()
    client.force_login(clerk)
    order = make_paid()
    assert client.get("/console/orders/").status_code == 403
    response = client.post(f"/console/orders/{order.order_no}/confirm/", {"confirmed": "yes"})
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == "paid"


@pytest.mark.parametrize("path", PAGES)
def test_staff_see_every_page(staff_browser, path):
    response = staff_browser.get(path)
    assert response.status_code == 200
    assert "oms console" in response.content.decode()


def test_the_login_form_takes_staff_to_the_console(staff):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/")
    html = page.content.decode()
    assert 'name="username"' in html and 'name="password"' in html and "csrfmiddlewaretoken" in html
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/login/", {"username": staff.username, "password": "secret-pass", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and response["Location"] == "/console/"


def test_unknown_order_is_a_404_page_not_json(staff_browser):
    response = staff_browser.get("/console/orders/99999999999999999999/")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]
    assert "No order 99999999999999999999" in response.content.decode()
