"""``oms beat``: the Celery periodic scheduler (run exactly one per system)."""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the Celery beat scheduler (payment timeouts, reconciliation). Run one per system."

    def add_arguments(self, parser):
        parser.add_argument("--loglevel", default="info")

    def handle(self, *args, loglevel: str, **options):
        os.execv(sys.executable, [sys.executable, "-m", "celery", "-A", "oms", "beat", "--loglevel", loglevel])
