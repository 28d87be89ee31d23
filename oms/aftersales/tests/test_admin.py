"""Returns in the Django admin: staff read them with their lines and timeline; nobody edits them there."""

from __future__ import annotations

import pytest
from django.test import Client

from oms.aftersales.tests.factories import delivered_order, requested_return
from oms.inventory.tests.factories import WarehouseFactory
from oms.shipping.tests.factories import stocked_sku

pytestmark = pytest.mark.django_db


def test_staff_read_a_return_and_its_timeline_but_cannot_change_it(customer, staff, address):
    tea = stocked_sku(WarehouseFactory())
    order = delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 1)])
    request = requested_return(order, (tea.code, 1), reason="Scratched lid")
    client = Client()
    client.force_login(staff)

    listing = client.get("/admin/aftersales/returnrequest/")
    page = client.get(f"/admin/aftersales/returnrequest/{request.pk}/change/")

    assert listing.status_code == 200 and order.order_no in listing.content.decode()
    assert page.status_code == 200
    html = page.content.decode()
    assert "Scratched lid" in html and tea.code in html and "requested" in html
    assert 'name="_save"' not in html
    assert client.get("/admin/aftersales/returnrequest/add/").status_code == 403
    assert client.post(f"/admin/aftersales/returnrequest/{request.pk}/delete/").status_code == 403
