"""``oms plan [--sku CODE] [--warehouse CODE]``: forecast demand now (with a progress bar) and print the
replenishment suggestions, most urgent first. ``--stored`` prints from the forecasts already stored instead."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from oms.catalog.models import Sku
from oms.inventory.models import Warehouse
from oms.planning import services
from oms.planning.selectors import Suggestion, planning_suggestions


def _row(s: Suggestion) -> list[str]:
    return [
        s.code,
        str(s.available),
        str(s.on_order),
        s.method or "-",
        "-" if s.mase is None else f"{s.mase:.2f}",
        f"{s.daily_demand:.2f}",
        str(s.reorder_point),
        "-" if s.order_quantity is None else str(s.order_quantity),
        str(s.quantity or "-"),
        s.order_by.isoformat() if s.order_by else "-",
        s.stockout_on.isoformat() if s.stockout_on else "-",
    ]


def table(suggestions: list[Suggestion]) -> str:
    head = [_("SKU"), _("avail"), _("on order"), _("model"), _("MASE"), _("per day"), _("ROP"), _("EOQ"),
            _("order"), _("order by"), _("stock-out")]  # fmt: skip
    rows = [head, *(_row(s) for s in suggestions)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))) for row in rows]  # fmt: skip
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Forecast demand and print replenishment suggestions (most urgent first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sku", action="append", default=[], metavar="CODE", help="this SKU only (repeatable)")
        parser.add_argument("--warehouse", metavar="CODE", help="plan one warehouse (default: the whole shop)")
        parser.add_argument("--stored", action="store_true", help="print from stored forecasts, compute nothing")
        parser.add_argument("--limit", type=int, default=50, help="rows to print (default 50; 0: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        warehouse = None
        if options["warehouse"]:
            warehouse = Warehouse.objects.filter(code=options["warehouse"]).first()
            if warehouse is None:
                raise CommandError(_("No warehouse %(code)s.") % {"code": options["warehouse"]})
        sku_ids = None
        if options["sku"]:
            found = dict(Sku.objects.filter(code__in=options["sku"]).values_list("code", "pk"))
            missing = [code for code in options["sku"] if code not in found]
            if missing:
                raise CommandError(_("No SKU %(code)s.") % {"code": ", ".join(missing)})
            sku_ids = list(found.values())
        if not options["stored"]:
            with tqdm(total=0, desc=_("forecasting"), unit=" SKU", file=sys.stderr, leave=False) as bar:

                def progress(done: int, total: int) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                run = services.compute_forecasts(warehouse=warehouse, sku_ids=sku_ids, progress=progress)
            self.stderr.write(_("%(count)s SKU forecasts made on %(day)s.") % {"count": run.skus, "day": run.made_on})
        suggestions = planning_suggestions(sku_ids=sku_ids, warehouse=warehouse)
        limit = options["limit"]
        self.stdout.write(table(suggestions[:limit] if limit else suggestions))
