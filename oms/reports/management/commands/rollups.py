"""``oms rollups rebuild [--since YYYY-MM-DD]``: write the report rollups again from the source tables."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oms.reports.rebuild import rebuild_rollups


class Command(BaseCommand):
    help = "Report rollups: 'rebuild' writes them again from orders, refunds and shipments."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="rebuild the rollups (all days, or the days from --since)")
        rebuild.add_argument("--since", type=_day, help="first local day to rebuild (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        since: date | None = options.get("since")
        started = time.monotonic()
        self.stdout.write(f"Rebuilding the report rollups from {since or 'the first order'}")
        done = rebuild_rollups(since=since, progress=lambda line: self.stdout.write(f"  {line}"))
        self.stdout.write(
            f"Rebuilt {done.days:,} days: {done.sales_rows:,} sales rows, {done.sku_rows:,} SKU rows,"
            f" {done.lead_rows:,} lead time rows in {time.monotonic() - started:.1f} s"
        )


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--since takes a day as YYYY-MM-DD, not {value!r}") from exc
