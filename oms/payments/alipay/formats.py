"""Alipay's wire formats: 2-decimal amount strings, Beijing wall-clock times, compact JSON."""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_AMOUNT_RE = re.compile(r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,2})?$")
CENT = Decimal("0.01")


def format_amount(amount: Decimal) -> str:
    """``Decimal("88.8")`` → ``"88.80"``. Refuses floats and sub-cent amounts rather than rounding money."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"amounts must be Decimal, got {type(amount).__name__}")
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"not a payable amount: {amount}")
    quantized = amount.quantize(CENT)
    if quantized != amount:
        raise ValueError(f"amount has more than 2 decimal places: {amount}")
    return f"{quantized:.2f}"


def parse_amount(text: object) -> Decimal:
    """Parse an amount string as Alipay sends it; ``ValueError`` on anything else (exponents, signs, 3 dp)."""
    if not isinstance(text, str) or not _AMOUNT_RE.match(text):
        raise ValueError(f"not an amount: {text!r}")
    return Decimal(text).quantize(CENT)


def format_time(moment: datetime) -> str:
    """An aware datetime as Beijing wall-clock time; naive datetimes are refused (their zone is a guess)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Alipay times need an aware datetime")
    return moment.astimezone(BEIJING).strftime(TIME_FORMAT)


def parse_time(text: str) -> datetime:
    """``"2026-11-25 10:30:00"`` (Beijing) → aware datetime; ``ValueError`` if malformed."""
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=BEIJING)


def compact_json(value: Any) -> str:
    """The JSON text we sign and send: no spaces, Chinese kept as UTF-8 (Alipay signs the text as sent)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
