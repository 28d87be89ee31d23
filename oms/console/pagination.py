"""Keyset (cursor) pages over orders, newest first: each page costs the same however deep, unlike OFFSET.

A cursor is the (created_at, id) of the row a page ends (or starts) at, base64-encoded. A cursor that does not
decode is ignored (first page), never an error.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from oms.orders.models import Order


@dataclass(frozen=True)
class KeysetPage:
    items: list[Order]
    next_cursor: str | None  # older orders
    prev_cursor: str | None  # newer orders


def encode_cursor(order: Order) -> str:
    raw = f"{order.created_at.isoformat()}|{order.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor or len(cursor) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.rsplit("|", 1)
        created_at = parse_datetime(stamp)
        return (created_at, int(pk)) if created_at and created_at.tzinfo else None
    except (ValueError, UnicodeDecodeError):
        return None


def keyset_page(orders: QuerySet[Order], *, after: str | None, before: str | None, size: int) -> KeysetPage:
    """The page of ``orders`` older than cursor ``after`` (or newer than ``before``; else the newest)."""
    older = decode_cursor(after)
    newer = None if older else decode_cursor(before)
    if newer:
        created_at, pk = newer
        newer_rows = orders.filter(Q(created_at__gt=created_at) | Q(created_at=created_at, pk__gt=pk))
        rows = list(newer_rows.order_by("created_at", "id")[: size + 1])
        more_newer = len(rows) > size
        items = list(reversed(rows[:size]))
        return KeysetPage(
            items=items,
            next_cursor=encode_cursor(items[-1]) if items else None,
            prev_cursor=encode_cursor(items[0]) if more_newer and items else None,
        )
    if older:
        created_at, pk = older
        orders = orders.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk))
    rows = list(orders.order_by("-created_at", "-id")[: size + 1])
    items = rows[:size]
    return KeysetPage(
        items=items,
        next_cursor=encode_cursor(items[-1]) if len(rows) > size else None,
        prev_cursor=encode_cursor(items[0]) if older and items else None,
    )
