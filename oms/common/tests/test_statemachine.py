"""The state-machine kit: tables are checked when built, one machine per stateful model, refusals change nothing,
and no code outside the kit writes a status field."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import models

from oms.aftersales.models import ReturnRequest
from oms.aftersales.transitions import RETURN
from oms.common.errors import ErrorCode
from oms.common.statemachine import MACHINES, InvalidTransition, TransitionTable, apply_transition
from oms.orders.models import Order
from oms.orders.tests.factories import pending_order
from oms.orders.transitions import ORDER
from oms.payments.models import Payment, Refund
from oms.payments.transitions import PAYMENT, REFUND
from oms.purchasing.models import PurchaseOrder
from oms.purchasing.transitions import PURCHASE_ORDER
from oms.shipping.models import Shipment
from oms.shipping.transitions import SHIPMENT

OMS = Path(__file__).resolve().parents[2]
STATEFUL_MODELS = {Order, ReturnRequest, PurchaseOrder, Payment, Refund, Shipment}


class Light(models.TextChoices):
    RED = "red"
    GREEN = "green"


def test_a_table_must_name_every_state_and_only_states():
    with pytest.raises(ValueError, match="no entry"):
        TransitionTable(Light, {Light.RED: {Light.GREEN}})
    with pytest.raises(ValueError):
        TransitionTable(Light, {Light.RED: {"blue"}, Light.GREEN: set()})
    table = TransitionTable(Light, {Light.RED: {Light.GREEN}, Light.GREEN: {Light.RED}})
    assert table.allows("red", "green") and not table.allows("red", "red")
    assert table[Light.GREEN] == {Light.RED} and set(table) == {Light.RED, Light.GREEN}


def test_each_stateful_model_has_one_machine():
    assert {machine.model for machine in MACHINES} == STATEFUL_MODELS
    assert len(MACHINES) == len(STATEFUL_MODELS)
    assert {ORDER, RETURN, PURCHASE_ORDER, PAYMENT, REFUND, SHIPMENT} == set(MACHINES)


def test_a_status_changes_only_inside_a_transaction():
    with pytest.raises(RuntimeError, match="inside a transaction"):
        apply_transition(PAYMENT, Payment(status="created"), to="succeeded", actor=None, reason="")


@pytest.mark.django_db
def test_a_refused_move_says_where_the_object_is_and_changes_nothing(customer, address):
    from oms.inventory.tests.factories import WarehouseFactory
    from oms.shipping.tests.factories import stocked_sku

    sku = stocked_sku(WarehouseFactory())
    order = pending_order(customer, address, (sku, 1))

    with pytest.raises(InvalidTransition) as refused:
        apply_transition(ORDER, ORDER.lock(order.pk), to="shipped", actor=None, reason="too early")

    assert (refused.value.code, refused.value.status) == (ErrorCode.INVALID_TRANSITION, 409)
    assert refused.value.current == "pending_payment"
    assert refused.value.details == {"current_status": "pending_payment", "requested_status": "shipped"}
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert list(order.events.values_list("to_status", flat=True)) == ["pending_payment"]


# --- Nothing but the kit writes a status -----------------------------------------------------------------------

# Status fields of models that are not one of the six machines: the sandbox's simulated Alipay trade and the
# inventory's allocation rows.
NOT_A_MACHINE = {("sandbox/services.py", "trade.status")}
OTHER_MODELS = {"Allocation"}


def status_writes(source: str, path: str = "<test>") -> list[str]:
    """``.status = …`` assignments, ``setattr(…, "status", …)`` and ``….update(status=…)`` / ``bulk_update`` of
    ``status`` in ``source``, as ``path:line: code`` (creation defaults, ``Model(status=…)``, are not writes)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for element in target.elts if isinstance(target, ast.Tuple | ast.List) else [target]:
                written = isinstance(element, ast.Attribute) and element.attr == "status"
                if written and (path, ast.unparse(element)) not in NOT_A_MACHINE:
                    found.append(f"{path}:{target.lineno}: {ast.unparse(element)} = ...")
        if isinstance(node, ast.Call) and _writes_status(node) and _root_name(node.func) not in OTHER_MODELS:
            found.append(f"{path}:{node.lineno}: {ast.unparse(node)[:80]}")
    return found


def _writes_status(call: ast.Call) -> bool:
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    if name == "setattr":
        return len(call.args) > 1 and isinstance(call.args[1], ast.Constant) and call.args[1].value == "status"
    if name == "update":
        return any(keyword.arg == "status" for keyword in call.keywords)
    if name == "bulk_update":
        arguments = [*call.args[1:], *(keyword.value for keyword in call.keywords)]
        return any(isinstance(n, ast.Constant) and n.value == "status" for a in arguments for n in ast.walk(a))
    return False


def _root_name(node: ast.expr) -> str:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def test_the_scan_finds_status_writes():
    source = """
order.status = "paid"
refund.status, refund.completed_at = "succeeded", now
setattr(payment, "status", "closed")
Payment.objects.filter(pk=1).update(status="closed", updated_at=now)
order.shipments.filter(status="pending").update(status="picked_up")
Shipment.objects.bulk_update(shipments, ["status"])
Allocation.objects.filter(pk=1).update(status="released")
Payment.objects.create(status="succeeded")
Refund.objects.filter(status="pending").update(next_attempt_at=now)
"""
    assert [line.split(": ", 1)[0] for line in status_writes(source)] == [
        "<test>:2",
        "<test>:3",
        "<test>:4",
        "<test>:5",
        "<test>:6",
        "<test>:7",
    ]


def test_no_code_outside_the_kit_writes_a_status():
    skipped = {"migrations", "tests", "web_tests"}
    found = []
    for path in sorted(OMS.rglob("*.py")):
        relative = path.relative_to(OMS)
        if skipped & set(relative.parts) or relative.as_posix() in {"common/statemachine.py", "conftest.py"}:
            continue
        found += status_writes(path.read_text(encoding="utf-8"), relative.as_posix())
    assert found == [], "change statuses through oms.common.statemachine.apply_transition:\n" + "\n".join(found)
