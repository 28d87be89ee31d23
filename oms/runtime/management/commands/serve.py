"""``oms serve``: gunicorn with several worker processes; static files served by WhiteNoise.

With the embedded broker (no CELERY_BROKER_URL) it also runs one Celery worker and the periodic scheduler, so
``oms serve`` alone is a whole system: payment timeouts and reconciliation included. It supervises them
(oms.runtime.supervisor): a crashed worker or scheduler is restarted, a dead web server or too many crashes end
``oms serve`` with a non-zero status, and no child outlives it.
"""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from oms.common.local_server import forget_server, record_server
from oms.runtime.management.commands.beat import beat_argv
from oms.runtime.management.commands.worker import worker_argv
from oms.runtime.processes import next_free_port, port_in_use
from oms.runtime.scheduler import SchedulerRunning, check_no_scheduler_running
from oms.runtime.supervisor import Program, Supervisor


def check_port_free(host: str, port: int) -> None:
    """CommandError naming what to do if another process listens on host:port (checked before anything else)."""
    try:
        busy = port_in_use(host, port)
    except OSError as exc:
        message = f"Cannot listen on {host}:{port}: {exc}"
        raise CommandError(message) from None
    if busy:
        other = next_free_port(host, port) or port + 1
        raise CommandError(
            f"Port {port} is in use: stop the other server or run PORT={other} bash scripts/run.sh "
            f"(oms up / oms serve --port {other})."
        )


def connect_url(host: str, port: int) -> str:
    """The address to reach a server bound to host:port from this machine."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104 - not a bind
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Serve oms with gunicorn on 127.0.0.1 (production server; never Django's development server)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.OMS_PORT, help="default: PORT, or 8000")
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
        parser.add_argument(
            "--max-restarts",
            type=int,
            default=5,
            help="a crashed worker or scheduler is restarted at most this many times a minute, then serve fails",
        )

    def handle(self, *args, port: int, host: str, workers: int, threads: int, timeout: int, jobs: str, **options):
        check_port_free(host, port)
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database has unapplied migrations: run 'oms migrate' first.")
        connection.close()
        with_jobs = jobs == "on" or (jobs == "auto" and settings.CELERY_EMBEDDED_BROKER)
        if with_jobs:
            try:
                check_no_scheduler_running()
            except SchedulerRunning as exc:
                raise CommandError(str(exc)) from None
        base_url = connect_url(host, port)
        # The background jobs (payment sandbox, carrier simulator) call back into this server; so do commands
        # started from another shell (oms carrier_sim), which find the address in var/server.json.
        os.environ.setdefault("OMS_PUBLIC_BASE_URL", base_url)
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
        record_server(base_url=base_url)
        if not with_jobs:
            os.execv(sys.executable, gunicorn)  # the same pid: the record stays true
        self.stdout.write("background jobs: one Celery worker and the periodic scheduler, restarted if they crash")
        sys.stdout.flush()
        programs = [
            Program("web server", gunicorn, essential=True),
            Program("worker", worker_argv(beat=False, concurrency=1, loglevel="warning", quiet=True)),
            Program("scheduler", beat_argv(loglevel="warning", quiet=True)),
        ]
        supervisor = Supervisor(programs, say=self._say, max_restarts=options["max_restarts"])
        try:
            status = supervisor.run()
        finally:
            forget_server()
        sys.exit(status)

    def _say(self, text: str) -> None:
        self.stderr.write(f"oms serve: {text}")
        self.stderr.flush()
