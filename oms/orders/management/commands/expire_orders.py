from __future__ import annotations

from django.core.management.base import BaseCommand

from oms.orders.services import expire_overdue_orders


class Command(BaseCommand):
    help = "Cancel unpaid orders whose payment window has passed and release their stock."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="orders to expire in one run")

    def handle(self, *args, limit: int, **options):
        expired = expire_overdue_orders(limit=limit)
        self.stdout.write(f"expired {expired} order(s)")
