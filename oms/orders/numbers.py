"""Order numbers: time-ordered, unguessable, 20 characters."""

from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def new_order_no(now: datetime) -> str:
    """``yymmddHHMMSS`` (Beijing time) + 8 random digits: sorts by time, cannot be enumerated.

    Two orders in the same second collide with odds of 1 in 10^8; the unique index turns that into a retry.
    """
    return now.astimezone(BEIJING).strftime("%y%m%d%H%M%S") + f"{secrets.randbelow(10**8):08d}"
