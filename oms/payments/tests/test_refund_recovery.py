"""Refunds that did not finish in one go, against the sandbox: lost answers, a process dying between the two
transactions, late payments whose automatic refund fails and is retried with backoff, legacy balance refunds.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from celery.signals import task_prerun
from django.utils import timezone

from oms.accounts.tests.factories import StaffFactory
from oms.orders.models import OrderEvent
from oms.orders.services import cancel_order
from oms.orders.states import OrderStatus
from oms.orders.tests.factories import pending_order
from oms.orders.transitions import transition_order
from oms.payments import balance
from oms.payments.errors import GatewayError, GatewayOutcomeUnknown
from oms.payments.models import BalanceAccount, BalanceEntry, GatewayMessage, Payment, PaymentIssue, Refund
from oms.payments.refund_recovery import attempt_refund_task, resume_stuck_refunds
from oms.payments.refunds import refund_order, retry_delay
from oms.payments.services import pay_with_balance
from oms.payments.tests.alipay_helpers import (
    deliver_notifications,
    open_cashier,
    press_pay,
    sandbox_trade,
    start_alipay,
)
from oms.payments.tests.factories import alipay_paid_order
from oms.payments.tests.network import ProcessDied, answer_lost, dies, down, use_network

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.django_db,
    pytest.mark.usefixtures("sandbox_keys"),
]
LATER = timedelta(minutes=11)  # past OMS_REFUND_STUCK_AFTER (10 minutes)


@pytest.fixture
def paid_order(customer, customer_client, address, sku):
    """Two units paid with Alipay through the sandbox: 60.00 + 10.00 shipping."""
    order = alipay_paid_order(customer_client, customer, address, (sku, 2))
    assert order.status == "paid"
    return order


def _status(order) -> str:
    order.refresh_from_db()
    return order.status


def _sandbox_refunds(order) -> list[tuple[str, Decimal]]:
    return list(sandbox_trade(order.order_no).refunds.values_list("out_request_no", "refund_amount"))


def _moves(order) -> list[tuple[str, str]]:
    return [(e.from_status, e.to_status) for e in OrderEvent.objects.filter(order=order).exclude(from_status="")]


# --- Staff refunds left pending --------------------------------------------------------------------------------
def test_a_lost_answer_leaves_the_refund_pending_then_the_job_confirms_it_without_paying_twice(
    monkeypatch, paid_order, staff
):
    use_network(monkeypatch, answer_lost("alipay.trade.refund"))

    with pytest.raises(GatewayOutcomeUnknown) as caught:
        refund_order(order=paid_order, amount=Decimal("25.00"), reason="dented", actor=staff)

    refund = Refund.objects.get(order=paid_order)
    assert caught.value.details == {"refund": refund.out_request_no, "status": "pending"}
    assert (refund.status, refund.attempts) == (Refund.Status.PENDING, 1)
    assert _status(paid_order) == "refunding"  # never failed blind: the money did move
    assert _sandbox_refunds(paid_order) == [(refund.out_request_no, Decimal("25.00"))]
    issue = PaymentIssue.objects.get(refund=refund)
    assert issue.kind == "refund_unconfirmed" and issue.resolved_at is None

    use_network(monkeypatch, None)
    assert resume_stuck_refunds(now=timezone.now() + LATER) == {"succeeded": 1}

    refund.refresh_from_db()
    assert (refund.status, refund.next_attempt_at) == (Refund.Status.SUCCEEDED, None)
    assert _status(paid_order) == "paid"
    assert _moves(paid_order)[-2:] == [("paid", "refunding"), ("refunding", "paid")]
    assert OrderEvent.objects.filter(order=paid_order).last().reason.endswith("done (confirmed later)")
    payment = Payment.objects.get(order=paid_order)
    assert (payment.status, payment.refunded_amount) == ("partially_refunded", Decimal("25.00"))
    assert _sandbox_refunds(paid_order) == [(refund.out_request_no, Decimal("25.00"))]  # asked, not sent again
    assert GatewayMessage.objects.filter(kind="trade_refund", direction="out").count() == 1
    issue.refresh_from_db()
    assert issue.resolved_at is not None


def test_a_process_that_died_before_the_gateway_call_is_finished_by_sending_the_same_request(
    monkeypatch, paid_order, staff
):
    use_network(monkeypatch, dies("alipay.trade.refund", after_the_gateway_acted=False))
    with pytest.raises(ProcessDied):
        refund_order(order=paid_order, reason="all of it", actor=staff)
    refund = Refund.objects.get(order=paid_order)
    assert (refund.status, refund.attempts, _status(paid_order)) == ("pending", 0, "refunding")
    assert _sandbox_refunds(paid_order) == []
    use_network(monkeypatch, None)

    assert resume_stuck_refunds() == {}  # younger than OMS_REFUND_STUCK_AFTER: it may still be under way
    assert resume_stuck_refunds(now=timezone.now() + LATER) == {"succeeded": 1}

    assert _status(paid_order) == "refunded"
    assert _sandbox_refunds(paid_order) == [(refund.out_request_no, Decimal("70.00"))]
    assert Payment.objects.get(order=paid_order).status == "refunded"
    assert resume_stuck_refunds(now=timezone.now() + LATER) == {}


def test_a_process_that_died_after_the_gateway_refunded_is_confirmed_by_asking(monkeypatch, paid_order, staff, sku):
    use_network(monkeypatch, dies("alipay.trade.refund", after_the_gateway_acted=True))
    with pytest.raises(ProcessDied):
        refund_order(order=paid_order, items=[{"sku": sku.code, "quantity": 1}], reason="broken", actor=staff)
    use_network(monkeypatch, None)
    refund = Refund.objects.get(order=paid_order)

    assert resume_stuck_refunds(now=timezone.now() + LATER) == {"succeeded": 1}

    assert _status(paid_order) == "paid"
    assert _sandbox_refunds(paid_order) == [(refund.out_request_no, Decimal("30.00"))]
    sent = GatewayMessage.objects.filter(direction="out").values_list("kind", flat=True).order_by("pk")
    assert list(sent)[-2:] == ["trade_refund", "refund_query"]  # the job asked and did not send it again


def test_a_refund_the_gateway_refuses_on_resume_fails_and_the_order_goes_back(monkeypatch, paid_order, staff):
    from oms.sandbox.keys import DEMO_APP_ID
    from oms.sandbox.services import refund_trade

    use_network(monkeypatch, dies("alipay.trade.refund", after_the_gateway_acted=False))
    with pytest.raises(ProcessDied):
        refund_order(order=paid_order, amount=Decimal("50.00"), reason="most", actor=staff)
    use_network(monkeypatch, None)
    # Meanwhile the whole trade was refunded at the gateway by other means: ours no longer fits.
    refund_trade(
        app_id=DEMO_APP_ID, out_trade_no=paid_order.order_no, refund_amount=Decimal("70.00"), out_request_no="X"
    )

    assert resume_stuck_refunds(now=timezone.now() + LATER) == {"failed": 1}

    refund = Refund.objects.get(order=paid_order)
    assert refund.status == "failed" and "refund" in refund.failure_reason
    assert _status(paid_order) == "paid"
    assert _moves(paid_order)[-2:] == [("paid", "refunding"), ("refunding", "paid")]
    assert Payment.objects.get(order=paid_order).refunded_amount == 0
    assert PaymentIssue.objects.get(refund=refund).kind == "refund_failed"


def test_while_the_gateway_stays_unreachable_the_job_keeps_the_refund_pending_and_backs_off(
    monkeypatch, paid_order, staff
):
    use_network(monkeypatch, dies("alipay.trade.refund", after_the_gateway_acted=False))
    with pytest.raises(ProcessDied):
        refund_order(order=paid_order, amount=Decimal("5.00"), reason="scratch", actor=staff)
    use_network(monkeypatch, down)
    start = timezone.now()

    assert resume_stuck_refunds(now=start + LATER) == {"retrying": 1}

    refund = Refund.objects.get(order=paid_order)
    assert (refund.status, refund.attempts) == ("pending", 1)
    assert "connection refused" in refund.failure_reason
    assert timedelta(minutes=1) < refund.next_attempt_at - start < timedelta(minutes=3)
    assert _status(paid_order) == "refunding"
    assert PaymentIssue.objects.get(refund=refund).kind == "refund_unconfirmed"
    assert resume_stuck_refunds(now=start + timedelta(minutes=1)) == {}  # not due yet

    use_network(monkeypatch, None)
    assert resume_stuck_refunds(now=start + timedelta(minutes=5)) == {"succeeded": 1}
    assert _status(paid_order) == "paid"
    assert PaymentIssue.objects.get(refund=refund).resolved_at is not None


def test_a_refund_the_gateway_refuses_at_once_fails_without_waiting_for_the_job(monkeypatch, paid_order, staff):
    from oms.sandbox.keys import DEMO_APP_ID
    from oms.sandbox.services import refund_trade

    refund_trade(
        app_id=DEMO_APP_ID, out_trade_no=paid_order.order_no, refund_amount=Decimal("70.00"), out_request_no="X"
    )

    with pytest.raises(GatewayError) as caught:
        refund_order(order=paid_order, amount=Decimal("10.00"), reason="late", actor=staff)

    assert not isinstance(caught.value, GatewayOutcomeUnknown)
    assert Refund.objects.get(order=paid_order).status == "failed"
    assert _status(paid_order) == "paid"
    assert resume_stuck_refunds(now=timezone.now() + LATER) == {}


# --- Store balance ----------------------------------------------------------------------------------------------
@pytest.fixture
def balance_paid_order(customer, address, sku):
    balance.top_up_balance(customer=customer, amount=Decimal("100.00"), actor=StaffFactory(), reason="funds")
    balance.set_payment_password(customer=customer, raw_password="123456")
    order = pending_order(customer, address, (sku, 1))  # 30.00 + 10.00 shipping
    return pay_with_balance(order=order, customer=customer, payment_password="123456")


def test_a_balance_refund_is_one_transaction_and_never_left_pending(balance_paid_order, customer, staff):
    refund = refund_order(order=balance_paid_order, amount=Decimal("15.00"), reason="dented", actor=staff)

    assert refund.status == "succeeded"
    assert BalanceAccount.objects.get(customer=customer).balance == Decimal("75.00")
    assert _status(balance_paid_order) == "paid"
    assert resume_stuck_refunds(now=timezone.now() + LATER) == {}


@pytest.mark.parametrize("credited_before_the_crash", [False, True])
def test_a_balance_refund_left_pending_by_a_crash_is_finished_and_credited_once(
    balance_paid_order, customer, staff, credited_before_the_crash
):
    # What a crash between the refund's transactions left behind before balance refunds became one transaction.
    order = balance_paid_order
    transition_order(order_id=order.pk, to=OrderStatus.REFUNDING, actor=staff, reason="Refund of 40.00: all")
    payment = Payment.objects.get(order=order)
    refund = Refund.objects.create(
        order=order, payment=payment, amount=Decimal("40.00"), reason="all", out_request_no=f"{order.order_no}R01"
    )
    if credited_before_the_crash:
        balance.post_balance_entry(
            customer=customer,
            kind=BalanceEntry.Kind.REFUND,
            amount=Decimal("40.00"),
            actor=staff,
            reason=f"Refund {refund.out_request_no} for order {order.order_no}",
            order=order,
        )

    assert resume_stuck_refunds(now=timezone.now() + LATER) == {"succeeded": 1}

    assert BalanceAccount.objects.get(customer=customer).balance == Decimal("100.00")
    assert BalanceEntry.objects.filter(order=order, kind="refund").count() == 1
    assert _status(order) == "refunded"


# --- Automatic refunds of late payments ------------------------------------------------------------------------
@pytest.fixture
def paid_after_cancel(customer, customer_client, address, sku):
    """An order cancelled while its Alipay cashier was open, then paid there; the notification not yet delivered."""
    order = pending_order(customer, address, (sku, 2))
    cashier = open_cashier(start_alipay(customer_client, order.order_no))
    cancel_order(order=order, actor=customer, reason="changed my mind", by_staff=False)
    assert press_pay(cashier.content.decode()).status_code == 302
    return order


def _late_payment_arrives(capture, *, execute: bool = True) -> None:
    with capture(execute=execute):
        assert [body for _, _, body in deliver_notifications().answers] == ["success"]


def test_the_automatic_refund_is_a_task_queued_on_commit(paid_after_cancel, django_capture_on_commit_callbacks):
    """Settlement writes the pending refund and queues a task once it commits; the notification's own work never
    calls the gateway (the task, run here as a worker would, does)."""
    tasks_run = []

    def record(sender, args, **kwargs):  # noqa: ARG001
        tasks_run.append((sender.name, tuple(args)))

    task_prerun.connect(record, weak=False)
    try:
        _late_payment_arrives(django_capture_on_commit_callbacks)
    finally:
        task_prerun.disconnect(record)

    refund = Refund.objects.get(order=paid_after_cancel)
    assert tasks_run == [(attempt_refund_task.name, (refund.pk,))]
    assert refund.status == "succeeded"
    assert _sandbox_refunds(paid_after_cancel) == [(refund.out_request_no, Decimal("70.00"))]


def test_a_failed_automatic_refund_is_retried_with_backoff_until_it_succeeds(
    monkeypatch, paid_after_cancel, django_capture_on_commit_callbacks
):
    order = paid_after_cancel
    use_network(monkeypatch, down)
    _late_payment_arrives(django_capture_on_commit_callbacks)

    refund = Refund.objects.get(order=order)
    assert (refund.automatic, refund.status, refund.attempts) == (True, "pending", 1)
    issue = PaymentIssue.objects.get(order=order, kind="refund_failed")
    assert issue.resolved_at is None and issue.refund == refund
    assert "attempt 1 of 8" in issue.detail and "connection refused" in issue.detail
    first_due = refund.next_attempt_at
    assert timedelta(minutes=1) < first_due - timezone.now() <= timedelta(minutes=2)
    assert resume_stuck_refunds(now=first_due - timedelta(seconds=5)) == {}

    assert resume_stuck_refunds(now=first_due) == {"retrying": 1}
    refund.refresh_from_db()
    assert refund.attempts == 2
    assert timedelta(minutes=3) < refund.next_attempt_at - timezone.now() <= timedelta(minutes=4)
    issue.refresh_from_db()
    assert "attempt 2 of 8" in issue.detail and issue.resolved_at is None
    assert PaymentIssue.objects.filter(order=order, kind="refund_failed").count() == 1
    assert Payment.objects.get(order=order).status == "succeeded"
    assert _sandbox_refunds(order) == []

    use_network(monkeypatch, None)
    assert resume_stuck_refunds(now=refund.next_attempt_at) == {"succeeded": 1}

    refund.refresh_from_db()
    assert refund.status == "succeeded"
    issue.refresh_from_db()
    assert issue.resolved_at is not None
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.refunded_amount) == ("refunded", Decimal("70.00"))
    assert _sandbox_refunds(order) == [(refund.out_request_no, Decimal("70.00"))]
    assert _status(order) == "cancelled"
    assert "refunded automatically" in OrderEvent.objects.filter(order=order).last().reason


def test_an_automatic_refund_gives_up_after_the_last_attempt_and_stays_with_staff(
    monkeypatch, settings, paid_after_cancel, django_capture_on_commit_callbacks
):
    settings.OMS_REFUND_MAX_ATTEMPTS = 2
    use_network(monkeypatch, down)
    _late_payment_arrives(django_capture_on_commit_callbacks)

    assert resume_stuck_refunds(now=timezone.now() + timedelta(hours=1)) == {"failed": 1}

    refund = Refund.objects.get(order=paid_after_cancel)
    assert (refund.status, refund.attempts, refund.next_attempt_at) == ("failed", 2, None)
    issue = PaymentIssue.objects.get(order=paid_after_cancel, kind="refund_failed")
    assert issue.resolved_at is None and "no longer retried" in issue.detail
    use_network(monkeypatch, None)
    assert resume_stuck_refunds(now=timezone.now() + timedelta(days=1)) == {}
    assert _sandbox_refunds(paid_after_cancel) == []


def test_an_automatic_refund_whose_first_attempt_never_ran_is_found_by_the_job(
    paid_after_cancel, django_capture_on_commit_callbacks
):
    _late_payment_arrives(django_capture_on_commit_callbacks, execute=False)  # the process died after commit
    refund = Refund.objects.get(order=paid_after_cancel)
    assert (refund.status, refund.attempts) == ("pending", 0)

    assert resume_stuck_refunds(now=timezone.now() + LATER) == {"succeeded": 1}

    assert _sandbox_refunds(paid_after_cancel) == [(refund.out_request_no, Decimal("70.00"))]
    assert Payment.objects.get(order=paid_after_cancel).status == "refunded"
    assert not PaymentIssue.objects.filter(order=paid_after_cancel, kind="refund_failed").exists()


def test_retry_delays_double_and_stop_growing_at_the_last_attempt(settings):
    settings.OMS_REFUND_RETRY_BASE = timedelta(minutes=2)
    settings.OMS_REFUND_MAX_ATTEMPTS = 4
    assert [retry_delay(n) for n in range(1, 7)] == [timedelta(minutes=m) for m in (2, 4, 8, 16, 16, 16)]


def test_the_job_is_in_the_beat_schedule():
    from django.conf import settings

    from oms.payments import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["resume-stuck-refunds"]
    assert entry["task"] == tasks.resume_stuck_refunds.name
    assert tasks.resume_stuck_refunds() == {}
