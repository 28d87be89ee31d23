"""``oms beat``: the Celery periodic scheduler (run exactly one per system; a second one refuses to start)."""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from oms.runtime.scheduler import SchedulerRunning, check_no_scheduler_running


def beat_argv(*, loglevel: str, quiet: bool = False) -> list[str]:
    # Its scheduler (CELERY_BEAT_SCHEDULER, oms.runtime.scheduler) holds var/'s scheduler lock while it runs.
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "oms",
        *(["--quiet"] if quiet else []),
        "beat",
        "--loglevel",
        loglevel,
    ]


class Command(BaseCommand):
    help = "Run the Celery beat scheduler (payment timeouts, reconciliation). Run one per system."

    def add_arguments(self, parser):
        parser.add_argument("--loglevel", default="info")

    def handle(self, *args, loglevel: str, **options):
        try:
            check_no_scheduler_running()  # fail at once, before celery starts; the scheduler checks again
        except SchedulerRunning as exc:
            raise CommandError(str(exc)) from None
        os.execv(sys.executable, beat_argv(loglevel=loglevel))
