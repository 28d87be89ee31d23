"""Notification delivery: acknowledgement, Alipay's retry schedule (scaled), giving up, claims."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from oms.sandbox.models import SandboxNotification
from oms.sandbox.notifications import RETRY_SCHEDULE, deliver_due_notifications, deliver_notification
from oms.sandbox.tasks import deliver_sandbox_notifications
from oms.sandbox.tests.helpers import Recorder, open_cashier, submit

pytestmark = pytest.mark.django_db
FACTOR = 0.0001  # set by the conftest fixture


@pytest.fixture
def notification(alipay, django_capture_on_commit_callbacks) -> SandboxNotification:
    with django_capture_on_commit_callbacks():  # not executed: each test drives the attempts itself
        submit(open_cashier(alipay).content.decode(), "pay")
    return SandboxNotification.objects.get()


def test_failure_is_retried_on_the_scaled_schedule_until_success(notification):
    post = Recorder("failure", "failure", "success")
    now = notification.next_attempt_at
    assert deliver_due_notifications(now=now, post=post) == 0
    notification.refresh_from_db()
    assert notification.attempts == 1 and notification.last_response == "HTTP 200: failure"
    assert notification.next_attempt_at == now + RETRY_SCHEDULE[0] * FACTOR

    assert deliver_due_notifications(now=now, post=post) == 0  # not due yet: no call
    assert len(post.calls) == 1

    now = notification.next_attempt_at
    assert deliver_due_notifications(now=now, post=post) == 0
    notification.refresh_from_db()
    assert notification.attempts == 2 and notification.next_attempt_at == now + RETRY_SCHEDULE[1] * FACTOR

    now = notification.next_attempt_at
    assert deliver_due_notifications(now=now, post=post) == 1
    notification.refresh_from_db()
    assert notification.attempts == 3 and notification.delivered_at == now and notification.next_attempt_at is None

    assert deliver_due_notifications(now=now + timedelta(days=2), post=post) == 0
    assert len(post.calls) == 3
    assert all(form == notification.params for _, form in post.calls)  # the same signed fields each time


def test_gives_up_after_the_last_scheduled_attempt(notification):
    post = Recorder("failure")
    now = notification.next_attempt_at
    for _ in range(len(RETRY_SCHEDULE) + 1):
        deliver_due_notifications(now=now, post=post)
        notification.refresh_from_db()
        now = notification.next_attempt_at or now
    assert notification.attempts == len(RETRY_SCHEDULE) + 1 == 8
    assert notification.gave_up
    assert deliver_due_notifications(now=now + timedelta(days=30), post=post) == 0
    assert len(post.calls) == 8


@pytest.mark.parametrize("answer", ["SUCCESS", "success\n", " success", "ok", ""])
def test_only_exactly_success_acknowledges(notification, answer):
    assert deliver_due_notifications(now=notification.next_attempt_at, post=Recorder(answer)) == 0
    notification.refresh_from_db()
    assert notification.delivered_at is None and notification.attempts == 1


def test_a_transport_failure_is_a_failed_attempt(notification):
    def down(url, form):
        raise ConnectionRefusedError("merchant down")

    assert deliver_due_notifications(now=notification.next_attempt_at, post=down) == 0
    notification.refresh_from_db()
    assert notification.attempts == 1 and "merchant down" in notification.last_response
    assert notification.next_attempt_at is not None


def test_a_claimed_notification_is_not_posted_twice(notification):
    """While one deliverer is posting, another pass finds the row claimed and leaves it alone."""
    nested: list[bool] = []

    def slow_merchant(url, form):
        nested.append(deliver_notification(notification.pk, now=now, post=Recorder("success")))
        return 200, "success"

    now = notification.next_attempt_at
    assert deliver_notification(notification.pk, now=now, post=slow_merchant)
    assert nested == [False]
    notification.refresh_from_db()
    assert notification.attempts == 1 and notification.delivered_at == now


def test_first_attempt_after_commit_never_breaks_the_pay_click(alipay, django_capture_on_commit_callbacks):
    # Port 9 (discard) on loopback: nothing answers there, so the first attempt fails for real.
    html = open_cashier(alipay, notify_url="http://127.0.0.1:9/notify").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(html, "pay")
    assert response.status_code == 302
    notification = SandboxNotification.objects.get()
    assert notification.attempts == 1 and notification.delivered_at is None
    assert notification.next_attempt_at > timezone.now() - timedelta(minutes=1)


def test_management_command_and_task_run_a_pass(db, capsys):
    call_command("sandbox_deliver_notifications")
    assert "0 notification(s) delivered" in capsys.readouterr().out
    assert deliver_sandbox_notifications() == 0
