"""Whatever a URL carries (hand-edited filters, old bookmarks, probes), a page answers with a page or a 4xx,
never a 500: staff console and storefront, with orders, returns and purchase orders there to find.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client

from oms.shipping.tests.factories import shipped_order

pytestmark = pytest.mark.django_db

JUNK = [
    *("", "abc", "-1", "0", "99999999999999999999", "%00", "1e9", "[]", "' OR 1=1 --", "%E2%80%AE"),
    *("2026-13-45", "0001-01-01", "9999-12-31"),  # dates: invalid, and at the calendar's two ends
]
CONSOLE = [
    "/console/?x={}",
    "/console/orders/?status={}&created_from={}&created_to={}",
    "/console/orders/?sku={}&customer={}&order_no={}",
    "/console/orders/?cursor={}&page_size={}",
    "/console/orders/{}/",
    "/console/orders/pick-list/?orders={}",
    "/console/reports/?days={}&export={}",
    "/console/inventory/?warehouse={}&q={}&page={}",
    "/console/purchase-orders/?status={}&supplier={}&po_no={}&page={}",
    "/console/purchase-orders/{}/",
    "/console/purchase-orders/new/?sku={}&warehouse={}&supplier={}",
    "/console/returns/?status={}&page={}",
    "/console/exceptions/?page={}",
]
STOREFRONT = [
    "/?q={}&page={}",
    "/orders/?page={}",
    "/orders/{}/",
    "/orders/{}/cancel/?reason={}",
    "/checkout/?address={}",
    "/returns/?page={}",
]


def _paths(templates: list[str]) -> list[str]:
    return [template.replace("{}", quote(junk, safe="%")) for template in templates for junk in JUNK]


@pytest.fixture
def shop(customer, staff, address):
    shipped_order(customer=customer, staff=staff, address=address)


@pytest.mark.usefixtures("shop")
@pytest.mark.parametrize(("who", "templates"), [("staff", CONSOLE), ("customer", STOREFRONT)], ids=["console", "shop"])
def test_pages_never_fail_on_junk_in_the_url(request, who, templates):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    failed = [(path, code) for path in _paths(templates) if (code := client.get(path).status_code) >= 500]
    assert failed == []
