"""Retry the sandbox's due notifications: once, or every few seconds with --watch (stop with Ctrl-C)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from oms.sandbox.notifications import deliver_due_notifications


class Command(BaseCommand):
    help = "Deliver the Alipay sandbox's due asynchronous notifications (retries on Alipay's schedule)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--watch", type=float, metavar="SECONDS", help="repeat every SECONDS until stopped")

    def handle(self, *args, watch: float | None = None, **options) -> None:
        while True:
            delivered = deliver_due_notifications()
            if delivered or not watch:
                self.stdout.write(f"{delivered} notification(s) delivered")
            if not watch:
                return
            time.sleep(watch)
