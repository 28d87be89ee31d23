"""Celery app: periodic jobs (payment timeouts, reconciliation, refund recovery, sandbox notification retries) and
background work.

Without CELERY_BROKER_URL the broker is a folder under var/ (kombu's filesystem transport), so the embedded setup
needs no server; production points CELERY_BROKER_URL at Redis or RabbitMQ.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")

app = Celery("oms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
