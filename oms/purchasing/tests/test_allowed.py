"""What a user may do with a purchase order now (oms.purchasing.allowed), over states × users, and the receipt
service refusing exactly what the predicate refuses."""

from __future__ import annotations

import pytest

from oms.common.errors import OmsError
from oms.conftest import WHO
from oms.inventory.tests.factories import WarehouseFactory
from oms.purchasing import allowed, services
from oms.purchasing.selectors import purchase_order_outlook
from oms.purchasing.states import PurchaseOrderStatus
from oms.purchasing.tests.factories import SupplierFactory, draft_po
from oms.shipping.tests.factories import stocked_sku

P = PurchaseOrderStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def po(people):
    warehouse = WarehouseFactory()
    return draft_po(
        supplier=SupplierFactory(), warehouse=warehouse, lines=[(stocked_sku(warehouse), 5)], actor=people["staff"]
    )


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("status", list(P))
def test_po_actions_follow_state_and_user(people, po, status, who) -> None:
    po.status = status
    user = people[who]
    staff = who == "staff"
    assert allowed.can_submit(po=po, user=user) is (status == P.DRAFT and staff)
    assert allowed.can_receive(po=po, user=user) is (status in {P.ORDERED, P.PARTIALLY_RECEIVED} and staff)
    assert allowed.can_cancel(po=po, user=user) is (status in {P.DRAFT, P.ORDERED} and staff)
    assert allowed.can_close(po=po, user=user) is (status == P.PARTIALLY_RECEIVED and staff)
    outlook = purchase_order_outlook(po)
    assert outlook.awaits_sending is (status == P.DRAFT)
    assert outlook.finished is (status in {P.RECEIVED, P.CANCELLED, P.CLOSED})


def test_the_receipt_service_refuses_what_the_predicate_refuses(people, po) -> None:
    refused = allowed.why_not_receive(po)
    assert refused is not None and not allowed.can_receive(po=po, user=people["staff"])
    line = po.lines.get()
    with pytest.raises(OmsError) as raised:
        services.receive_purchase_order(po=po, quantities={line.pk: 1}, actor=people["staff"])
    assert (raised.value.code, raised.value.message) == (refused.code, refused.message)
    po = services.submit_purchase_order(po=po, actor=people["staff"])
    assert allowed.why_not_receive(po) is None and allowed.can_receive(po=po, user=people["staff"])
