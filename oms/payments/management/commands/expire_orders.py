from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oms.payments.reconciliation import expire_unpaid_orders


class Command(BaseCommand):
    help = "Cancel unpaid orders whose payment window has passed (closing their gateway trades first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="orders to expire in one run")

    def handle(self, *args: Any, limit: int, **options: Any) -> None:
        self.stdout.write(f"expired {expire_unpaid_orders(limit=limit)} order(s)")
