"""``oms up``: migrate, load demo data, serve — the one command a newcomer runs."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from oms.runtime.management.commands.serve import check_port_free


class Command(BaseCommand):
    help = "Migrate the database, load the demo data (once) and serve on http://127.0.0.1:PORT/."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.OMS_PORT, help="default: PORT, or 8000")
        parser.add_argument("--workers", type=int, default=3)
        parser.add_argument("--orders", type=int, default=3000, help="demo orders to create on the first run")

    def handle(self, *args, port: int, workers: int, orders: int, **options):
        check_port_free("127.0.0.1", port)  # before a minute of seeding, not after
        # The demo's carrier simulator and payment sandbox post to the server all the time: their requests go to a
        # file, so the address and logins printed below stay on the screen (OMS_ACCESS_LOG=- shows them here).
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        os.environ.setdefault("OMS_ACCESS_LOG", str(settings.VAR_DIR / "access.log"))
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
