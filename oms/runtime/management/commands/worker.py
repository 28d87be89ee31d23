"""``oms worker [--beat]``: a Celery worker (with the periodic scheduler embedded when --beat)."""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand


def worker_argv(*, beat: bool, concurrency: int | None, loglevel: str, quiet: bool = False) -> list[str]:
    # --quiet (no start-up banner: beside gunicorn it would push the server's own lines off the screen) is one of
    # celery's own options, so it comes before the subcommand.
    argv = [sys.executable, "-m", "celery", "-A", "oms", *(["--quiet"] if quiet else []), "worker"]
    argv += ["--loglevel", loglevel]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    if beat:
        argv.append("--beat")
    return argv


class Command(BaseCommand):
    help = "Run a Celery worker for oms's background and periodic jobs (CELERY_BROKER_URL; default: embedded)."

    def add_arguments(self, parser):
        parser.add_argument("--beat", action="store_true", help="also run the periodic scheduler (one per system)")
        parser.add_argument("--concurrency", type=int, default=None)
        parser.add_argument("--loglevel", default="info")

    def handle(self, *args, beat: bool, concurrency: int | None, loglevel: str, **options):
        argv = worker_argv(beat=beat, concurrency=concurrency, loglevel=loglevel)
        os.execv(sys.executable, argv)
