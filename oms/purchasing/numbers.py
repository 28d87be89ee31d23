"""Purchase order numbers: ``PO`` + the day + random digits, e.g. ``PO26011504813377``."""

from __future__ import annotations

import secrets
from datetime import datetime

from oms.orders.numbers import BEIJING


def new_po_no(now: datetime) -> str:
    """``PO`` + ``yymmdd`` (Beijing time) + 8 random digits: 16 characters, readable on a phone call.

    Two POs of one day collide with odds of 1 in 10^8; the unique index turns that into a retry.
    """
    return "PO" + now.astimezone(BEIJING).strftime("%y%m%d") + f"{secrets.randbelow(10**8):08d}"
