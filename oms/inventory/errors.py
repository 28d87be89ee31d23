from __future__ import annotations

from django.utils.translation import gettext as _

from oms.common.errors import Conflict, ErrorCode


class InsufficientStock(Conflict):
    code = ErrorCode.INSUFFICIENT_STOCK

    def __init__(self, sku_codes: list[str]) -> None:
        super().__init__(
            _("Not enough stock for: %(skus)s. Lower the quantity or remove the line.")
            % {"skus": ", ".join(sku_codes)},
            details={"skus": sku_codes},
        )
        self.sku_codes = sku_codes


class StockChangedConcurrently(Exception):
    """A guarded update matched fewer rows than planned: someone took the stock first. Re-plan and retry."""


class StockBelowReserved(Conflict):
    code = ErrorCode.STOCK_BELOW_RESERVED
