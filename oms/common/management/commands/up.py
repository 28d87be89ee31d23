"""``oms up``: migrate, load demo data, serve — the one command a newcomer runs."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate the database, load the demo data (once) and serve on http://127.0.0.1:PORT/."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=3)
        parser.add_argument("--orders", type=int, default=3000, help="demo orders to create on the first run")

    def handle(self, *args, port: int, workers: int, orders: int, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("demo", orders=orders)
        base = f"http://127.0.0.1:{port}"
        self.stdout.write(
            self.style.SUCCESS(
                f"\nOpen {base}/ (the shop; customers: alice / alice, bob / bob), {base}/console/ (staff console: "
                f"ops / ops), {base}/admin/ (admin / admin) and {base}/api/docs/ (API).\n"
            )
        )
        call_command("serve", port=port, workers=workers)
