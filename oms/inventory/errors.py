from __future__ import annotations

from oms.common.errors import Conflict, ErrorCode


class InsufficientStock(Conflict):
    code = ErrorCode.INSUFFICIENT_STOCK

    def __init__(self, sku_codes: list[str]) -> None:
        super().__init__(
            f"Not enough stock for: {', '.join(sku_codes)}. Lower the quantity or remove the line.",
            details={"skus": sku_codes},
        )
        self.sku_codes = sku_codes


class StockChangedConcurrently(Exception):
    """A guarded update matched fewer rows than planned: someone took the stock first. Re-plan and retry."""


class StockBelowReserved(Conflict):
    code = ErrorCode.STOCK_BELOW_RESERVED
