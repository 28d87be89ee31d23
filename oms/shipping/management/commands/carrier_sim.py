"""Hurry the local carrier simulator: every simulated parcel one step on now, to the running server's address
(oms.common.local_server); once (--once, the default) or every SECONDS with --watch (Ctrl-C stops).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oms.shipping.simulator import advance_sim_parcels, webhook_url


class Command(BaseCommand):
    help = "Move every shipped 'sim' parcel one step along now, by posting signed events to our carrier webhook."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="one pass, then exit (the default)")
        mode.add_argument("--watch", type=float, metavar="SECONDS", help="repeat every SECONDS until stopped")

    def handle(self, *args: Any, once: bool = False, watch: float | None = None, **options: Any) -> None:
        self.stdout.write(f"posting to {webhook_url()}")
        while True:
            posted = advance_sim_parcels(hurry=True)
            if posted or not watch:
                self.stdout.write(f"{posted} tracking event(s) delivered")
            if not watch:
                return
            time.sleep(watch)
