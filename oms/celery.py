"""Celery app: periodic jobs (payment timeouts, reconciliation, refund recovery, sandbox notification retries) and
background work.

Without CELERY_BROKER_URL the broker is a folder under var/ (kombu's filesystem transport), so the embedded setup
needs no server; production points CELERY_BROKER_URL at Redis or RabbitMQ.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import beat_embedded_init, worker_process_init

from oms.common.folders import ensure_var_dirs
from oms.runtime.processes import die_with_parent

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")

app = Celery("oms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_var_dirs(**kwargs) -> None:
    """The embedded broker's folders under var/, made when the app is configured: before a worker, the scheduler or
    any process queuing a task uses them (importing the settings makes no folder)."""
    ensure_var_dirs()


# The processes a worker forks (its pool, the scheduler of ``worker --beat``) end with it, even after a kill -9:
# an orphaned scheduler would go on queuing jobs beside the next one.
_STARTED_IN = os.getpid()


@beat_embedded_init.connect
@worker_process_init.connect
def _die_with_the_worker(**kwargs) -> None:
    die_with_parent(parent=_STARTED_IN if os.getpid() != _STARTED_IN else None)
