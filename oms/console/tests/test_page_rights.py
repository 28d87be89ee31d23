"""Every console page answers each kind of staff exactly as the permission its view declares says, and the
dashboard shows only the cards whose pages the user may open.

The walk covers every URL of ``oms.console.urls`` (a new page is checked the day it is added) with real objects
in its path, for a staff user in no group, one in each staff group, one in all of them and a superuser.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, resolve, reverse

from oms.accounts.services import STAFF_GROUPS, ensure_staff_groups
from oms.accounts.tests.factories import UserFactory
from oms.aftersales.tests.factories import delivered_order, requested_return
from oms.console import urls as console_urls
from oms.console.access import may_open
from oms.console.actions import ACTIONS
from oms.console.views.dashboard import CARDS
from oms.purchasing.tests.factories import SupplierFactory, draft_po
from oms.shipping.tests.factories import stocked_sku

pytestmark = pytest.mark.django_db

NO_GROUP = "no group"
ALL_GROUPS = "all groups"
SUPERUSER = "superuser"
KINDS = [NO_GROUP, *STAFF_GROUPS, ALL_GROUPS, SUPERUSER]
# The action filled into the action URLs: each is valid for the object made below.
ACTION_ARGS = {
    "console:order-action": "confirm",
    "console:return-action": "approve",
    "console:purchase-order-action": "submit",
}


def staff_of(kind: str):
    ensure_staff_groups()
    user = UserFactory.create(
        username=f"staff-{kind.replace(' ', '-').lower()}", is_staff=True, is_superuser=kind == SUPERUSER
    )
    if kind in STAFF_GROUPS:
        user.groups.add(Group.objects.get(name=kind))
    elif kind == ALL_GROUPS:
        user.groups.add(*Group.objects.filter(name__in=STAFF_GROUPS))
    return user


@pytest.fixture
def objects(customer, staff, address, warehouse) -> dict[str, str | int]:
    """Real objects for every path argument of the console URLs."""
    tea = stocked_sku(warehouse, on_hand=10, price="30.00")
    delivered = delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 2)])
    ret = requested_return(delivered, (tea.code, 1))
    po = draft_po(supplier=SupplierFactory(), warehouse=warehouse, lines=[(tea, 5)])
    return {"order_no": delivered.order_no, "return_id": ret.pk, "po_no": po.po_no, "code": tea.code}


def console_pages(objects: dict) -> list[tuple[str, str, dict]]:
    """(url name, path, kwargs) of every console URL pattern, its arguments filled from ``objects``."""
    pages = []
    for pattern in console_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        name = f"console:{pattern.name}"
        kwargs = {arg: ACTION_ARGS[name] if arg == "action" else objects[arg] for arg in pattern.pattern.converters}
        pages.append((name, reverse(name, kwargs=kwargs), kwargs))
    return pages


def declared_rule(name: str, kwargs: dict) -> str | None:
    view = resolve(reverse(name, kwargs=kwargs)).func
    assert hasattr(view, "required_perm"), f"{name} declares no permission (use oms.console.access.staff_required)"
    if name == "console:order-action":  # each order action names its own permission in the actions table
        return ACTIONS[kwargs["action"]].perm
    return view.required_perm


@pytest.mark.parametrize("kind", KINDS)
def test_every_console_url_answers_as_its_declared_permission_says(kind, objects):
    user = staff_of(kind)
    client = Client()
    client.force_login(user)
    for name, path, kwargs in console_pages(objects):
        perm = declared_rule(name, kwargs)
        allowed = perm is None or user.has_perm(perm)
        if name != "console:order-action":  # the one URL whose right depends on its action
            assert may_open(user, name, **kwargs) == allowed, name
        response = client.get(path)
        if response.status_code == 405:  # an action: POST without "confirmed" only asks for confirmation
            response = client.post(path, {})
            ok = (200, 302)
        else:
            ok = (200,)
        if allowed:
            assert response.status_code in ok, f"{kind} on {path}: {response.status_code}, needs {perm}"
        else:
            assert response.status_code in (403, 404), f"{kind} on {path}: {response.status_code}, needs {perm}"


def dashboard_cards(html: str) -> set[str]:
    return set(re.findall(r'data-page="([^"]+)"', html))


@pytest.mark.parametrize("kind", KINDS)
def test_the_dashboard_shows_only_the_cards_the_user_may_open(kind, objects):  # noqa: ARG001
    user = staff_of(kind)
    client = Client()
    client.force_login(user)
    response = client.get("/console/")
    assert response.status_code == 200
    html = response.content.decode()
    expected = {page for page in CARDS.values() if may_open(user, page)}
    assert dashboard_cards(html) == expected
    for page in set(CARDS.values()) - expected:
        assert f'href="{reverse(page)}' not in html, f"{kind} is shown a link to {page}"
    if not user.has_perm("orders.view_all_orders"):
        assert "Sales" not in html and "Orders today" not in html
    if not user.has_perm("orders.manage_orders"):
        assert "Oldest exceptions" not in html


def test_inventory_managers_see_stock_but_no_sales_or_exceptions(objects):  # noqa: ARG001
    user = staff_of("Inventory managers")
    client = Client()
    client.force_login(user)
    html = client.get("/console/").content.decode()
    assert dashboard_cards(html) == {"console:inventory"}
    assert client.get("/console/reports/").status_code == 403
    assert client.get("/console/exceptions/").status_code == 403
