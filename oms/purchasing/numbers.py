"""Purchase order numbers: ``PO`` + the day + random digits, e.g. ``PO26011504813377``."""

from __future__ import annotations

import secrets
from datetime import datetime

from oms.orders.numbers import BEIJING


def po_day(now: datetime) -> str:
    """The ``yymmdd`` of a PO number: the day (Beijing time) the PO was created."""
    return now.astimezone(BEIJING).strftime("%y%m%d")


def new_po_no(now: datetime) -> str:
    """``PO`` + ``yymmdd`` (Beijing time) + 8 random digits: 16 characters, readable on a phone call.

    Two POs of one day collide with odds of 1 in 10^8; the unique index turns that into a retry.
    """
    return "PO" + po_day(now) + f"{secrets.randbelow(10**8):08d}"


def redated_po_no(po_no: str, created_at: datetime) -> str:
    """``po_no`` with the day of ``created_at`` in place of its own (for data dated after the fact)."""
    return "PO" + po_day(created_at) + po_no[8:]
