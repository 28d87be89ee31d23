"""``oms serve``: gunicorn with several worker processes; static files served by WhiteNoise."""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Serve oms with gunicorn on 127.0.0.1 (production server; never Django's development server)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1) * 2))
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("--timeout", type=int, default=30)

    def handle(self, *args, port: int, host: str, workers: int, threads: int, timeout: int, **options):
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database has unapplied migrations: run 'oms migrate' first.")
        connection.close()
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"oms listening on http://{host}:{port}/ ({workers} workers, {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})")
        sys.stdout.flush()
        argv = [
            sys.executable, "-m", "gunicorn", "oms.wsgi:application",
            "--bind", f"{host}:{port}",
            "--workers", str(workers),
            "--threads", str(threads),
            "--timeout", str(timeout),
            "--access-logfile", os.environ.get("OMS_ACCESS_LOG", "-"),
            "--log-level", "warning",
        ]  # fmt: skip
        os.execv(sys.executable, argv)
