"""Celery entry point: the periodic pass that retries the sandbox's due notifications."""

from __future__ import annotations

from celery import shared_task

from oms.sandbox.notifications import deliver_due_notifications


@shared_task
def deliver_sandbox_notifications() -> int:
    return deliver_due_notifications()
