"""Celery entry points: thin wrappers that call services.

The periodic jobs are here; the one-off attempt at a late payment's refund (queued on commit by settlement) is
``oms.payments.refund_recovery.attempt_refund_task``, registered with the worker through the import below.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from oms.payments import reconciliation, refund_recovery


@shared_task
def expire_unpaid_orders() -> int:
    return reconciliation.expire_unpaid_orders()


@shared_task
def reconcile_stale_payments() -> dict[str, int]:
    return reconciliation.reconcile_stale_payments()


@shared_task
def resume_stuck_refunds() -> dict[str, int]:
    return refund_recovery.resume_stuck_refunds()


@shared_task
def daily_reconciliation() -> dict[str, Any]:
    report = reconciliation.daily_reconciliation()
    return {"day": report.day.isoformat(), "checked": report.checked, "mismatches": report.mismatches}
