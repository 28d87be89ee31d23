"""``oms serve``: gunicorn with several worker processes; static files served by WhiteNoise.

With the embedded broker (no CELERY_BROKER_URL) it also runs one Celery worker with the periodic scheduler, so
``oms serve`` alone is a whole system: payment timeouts and reconciliation included.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from oms.common.management.commands.worker import worker_argv


class Command(BaseCommand):
    help = "Serve oms with gunicorn on 127.0.0.1 (production server; never Django's development server)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1) * 2))
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("--timeout", type=int, default=30)
        parser.add_argument(
            "--jobs",
            choices=["auto", "on", "off"],
            default="auto",
            help="run a Celery worker + scheduler beside the web workers (auto: only with the embedded broker)",
        )

    def handle(self, *args, port: int, host: str, workers: int, threads: int, timeout: int, jobs: str, **options):
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database has unapplied migrations: run 'oms migrate' first.")
        connection.close()
        # The background jobs (payment sandbox, carrier simulator) call back into this server.
        os.environ.setdefault("OMS_PUBLIC_BASE_URL", f"http://{host}:{port}")
        call_command("collectstatic", interactive=False, verbosity=0)
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        access_log = os.environ.get("OMS_ACCESS_LOG", "-")
        logged = "" if access_log == "-" else f"; requests logged to {access_log}"
        self.stdout.write(f"oms listening on http://{host}:{port}/ ({workers} web workers, {engine}{logged})")
        sys.stdout.flush()
        gunicorn = [
            sys.executable, "-m", "gunicorn", "oms.wsgi:application",
            "--bind", f"{host}:{port}",
            "--workers", str(workers),
            "--threads", str(threads),
            "--timeout", str(timeout),
            "--access-logfile", access_log,
            "--log-level", "warning",
        ]  # fmt: skip
        if jobs == "off" or (jobs == "auto" and not settings.CELERY_EMBEDDED_BROKER):
            os.execv(sys.executable, gunicorn)
        self.stdout.write("background jobs: one Celery worker with the periodic scheduler")
        self._supervise([gunicorn, worker_argv(beat=True, concurrency=1, loglevel="warning", quiet=True)])

    def _supervise(self, commands: list[list[str]]) -> None:
        """Run the processes together; when one stops or we are told to stop, stop them all."""
        children = [subprocess.Popen(argv) for argv in commands]

        def stop(signum=None, frame=None):  # noqa: ARG001
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
        sys.exit(max(child.returncode or 0 for child in children))
