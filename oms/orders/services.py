"""Order writes: placement, cancellation, payment hooks, expiry. Status changes go through transitions."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.catalog.models import Sku
from oms.common.errors import OmsError, ValidationFailed
from oms.inventory import ledger
from oms.inventory.errors import InsufficientStock, StockChangedConcurrently
from oms.inventory.sourcing import (
    PlannedAllocation,
    StockSnapshot,
    plan_allocations,
    read_skus_with_stock,
    read_stock_snapshot,
)
from oms.orders.errors import IdempotencyKeyReused, InvalidTransition
from oms.orders.models import Order, OrderEvent, OrderItem
from oms.orders.numbers import new_order_no
from oms.orders.placement_sql import insert_order_rows
from oms.orders.pricing import money, order_totals
from oms.orders.states import CUSTOMER_CANCELLABLE, HOLDS_RESERVATION, OrderStatus
from oms.orders.transitions import transition_order

logger = logging.getLogger(__name__)

# Databases whose placement writes its rows in one statement (orders.placement_sql); the others use the ORM.
ONE_STATEMENT_PLACEMENT_VENDORS = frozenset({"postgresql"})
# Re-plans after a concurrent buyer took the units a plan counted on, before answering insufficient_stock.
MAX_PLACEMENT_ATTEMPTS = 5


@dataclass(frozen=True)
class OrderLineInput:
    sku: str
    quantity: int


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    created: bool


def place_order(
    *,
    customer: User,
    items: list[OrderLineInput],
    address: dict[str, str],
    idempotency_key: str | None = None,
    payment_method: str = "",
    check_total: Callable[[Decimal], None] | None = None,
    now: datetime | None = None,
) -> PlacedOrder:
    """Price the lines, reserve their stock and create a ``pending_payment`` order, all in one transaction.

    The same ``idempotency_key`` with the same content returns the first order (``created=False``) and reserves
    nothing; with other content it raises IdempotencyKeyReused. The unique (customer, key) index makes concurrent
    duplicates collapse into one order. ``check_total`` is the payment method's own check, called with the order's
    total once it is priced and before anything is written (oms.payments.balance.placement_check refuses a
    balance that does not cover it; paying checks again); what it raises propagates. Raises ValidationFailed,
    InsufficientStock, or what ``check_total`` raises (nothing written).
    """
    fingerprint = _fingerprint(items, address, payment_method)
    try:
        return _place(
            customer=customer,
            items=items,
            address=address,
            idempotency_key=idempotency_key,
            payment_method=payment_method,
            check_total=check_total,
            fingerprint=fingerprint,
            now=now,
        )
    except OmsError:
        # A replay must return the first order even if its stock, the catalog or the balance changed since then.
        replay = _find_replay(customer, idempotency_key, fingerprint) if idempotency_key else None
        if replay:
            return PlacedOrder(replay, created=False)
        raise


def _place(
    *,
    customer: User,
    items: list[OrderLineInput],
    address: dict[str, str],
    idempotency_key: str | None,
    payment_method: str,
    check_total: Callable[[Decimal], None] | None,
    fingerprint: str,
    now: datetime | None,
) -> PlacedOrder:
    # No look-up of the idempotency key first: the unique (customer, key) index refuses a replay's insert, and
    # only then is the first order fetched. That saves a round trip on every new order, which is nearly all.
    skus, first_snapshot = _load_skus(items)
    snapshot: list[StockSnapshot] | None = first_snapshot
    if check_total is not None:
        check_total(order_totals([money(skus[line.sku].price * line.quantity) for line in items]).total)
    lines = {skus[line.sku].pk: line.quantity for line in items}
    now = now or timezone.now()
    for _attempt in range(MAX_PLACEMENT_ATTEMPTS):
        snapshot = snapshot or read_stock_snapshot(list(lines))  # the first comes with the SKUs; a retry re-reads
        plan, short = plan_allocations(lines, snapshot, region=address.get("province", ""))
        snapshot = None
        if short:
            codes = {sku.pk: code for code, sku in skus.items()}
            raise InsufficientStock(sorted(codes[sku_id] for sku_id in short))
        order_no = new_order_no(now)
        try:
            order = _create_order(
                order_no=order_no,
                customer=customer,
                items=items,
                skus=skus,
                plan=plan,
                address=address,
                idempotency_key=idempotency_key,
                fingerprint=fingerprint,
                payment_method=payment_method,
                now=now,
            )
            return PlacedOrder(order, created=True)
        except StockChangedConcurrently:
            continue  # another buyer got there first: re-read and re-plan
        except IntegrityError:
            if idempotency_key:
                replay = _find_replay(customer, idempotency_key, fingerprint)
                if replay:
                    return PlacedOrder(replay, created=False)
            if Order.objects.filter(order_no=order_no).exists():
                continue  # an order number collision (1 in 10^8 within a second): draw another
            raise
    raise InsufficientStock(sorted(line.sku for line in items))


def _create_order(
    *,
    order_no: str,
    customer: User,
    items: list[OrderLineInput],
    skus: dict[str, Sku],
    plan: list[PlannedAllocation],
    address: dict[str, str],
    idempotency_key: str | None,
    fingerprint: str,
    payment_method: str,
    now: datetime,
) -> Order:
    line_totals = [money(skus[line.sku].price * line.quantity) for line in items]
    totals = order_totals(line_totals)
    order = Order(
        order_no=order_no,
        customer=customer,
        status=OrderStatus.PENDING_PAYMENT,
        currency=settings.OMS_CURRENCY,
        subtotal=totals.subtotal,
        shipping_fee=totals.shipping_fee,
        total_amount=totals.total,
        shipping_address=address,
        payment_method=payment_method,
        idempotency_key=idempotency_key or None,
        request_fingerprint=fingerprint,
        created_at=now,
        expires_at=now + settings.OMS_ORDER_PAYMENT_TIMEOUT,
    )
    order_items = [
        OrderItem(
            order=order,
            sku=skus[line.sku],
            sku_code=line.sku,
            name=skus[line.sku].name,
            unit_price=skus[line.sku].price,
            quantity=line.quantity,
            line_total=line_total,
        )
        for line, line_total in zip(items, line_totals, strict=True)
    ]
    event = OrderEvent(order=order, to_status=OrderStatus.PENDING_PAYMENT, actor=customer, reason=_("Order placed"))
    event.created_at = now
    reservation = ledger.reservation(order=order, plan=plan, actor=customer)
    with transaction.atomic():
        if connection.vendor in ONE_STATEMENT_PLACEMENT_VENDORS:
            insert_order_rows(order=order, items=order_items, event=event, reservation=reservation)
        else:
            # The order's own rows first; the ledger orders its inserts and the stock update for this database.
            order.save(force_insert=True)
            OrderItem.objects.bulk_create(order_items)
            event.save(force_insert=True)
            reservation.post()
    # Kept so that the caller can show the new order from what was just written, without reading it back.
    order.placed_rows = {"items": order_items, "events": [event]}
    return order


def _load_skus(items: list[OrderLineInput]) -> tuple[dict[str, Sku], list[StockSnapshot]]:
    codes = [line.sku for line in items]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValidationFailed(
            _("Each SKU may appear on one line only; add up the quantities."),
            details={"duplicate_skus": duplicates},
        )
    skus, snapshot = read_skus_with_stock(codes)
    missing = sorted(set(codes) - set(skus))
    if missing:
        raise ValidationFailed(
            _("Unknown or inactive SKU: %(skus)s.") % {"skus": ", ".join(missing)}, details={"unknown_skus": missing}
        )
    return skus, snapshot


def _fingerprint(items: list[OrderLineInput], address: dict[str, str], payment_method: str = "") -> str:
    canonical = {
        "items": sorted([line.sku, line.quantity] for line in items),
        "shipping_address": address,
        "payment_method": payment_method,
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def _find_replay(customer: User, idempotency_key: str, fingerprint: str) -> Order | None:
    order = Order.objects.filter(customer=customer, idempotency_key=idempotency_key).first()
    if order is not None and order.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            _("This Idempotency-Key was already used for a different order; send a new key for a new order."),
            details={"order_no": order.order_no},
        )
    return order


def cancel_order(*, order: Order, actor: User, reason: str, by_staff: bool) -> Order:
    """Cancel an unpaid order and release its stock. Customers may cancel only before payment."""
    return transition_order(
        order_id=order.pk,
        to=OrderStatus.CANCELLED,
        actor=actor,
        reason=reason or (_("Cancelled by staff") if by_staff else _("Cancelled by customer")),
        allowed_from=None if by_staff else CUSTOMER_CANCELLABLE,
    )


def mark_order_paid(*, order: Order, actor: User | None, reason: str, paid_at: datetime | None = None) -> Order:
    """The one way an order becomes paid (payment services call this). Deducts its reserved stock.

    ``paid_at`` is when the money moved (default: now). Raises InvalidTransition if the order is not awaiting
    payment, OrderExpired if ``paid_at`` is past its payment window.
    """
    return transition_order(order_id=order.pk, to=OrderStatus.PAID, actor=actor, reason=reason, paid_at=paid_at)


def overdue_orders(*, now: datetime, limit: int) -> list[Order]:
    """Unpaid orders (pending or failed payment) past their payment window, oldest first.

    A failed payment still holds stock, so it expires like a pending one; the status + expires_at index serves this.
    """
    overdue = Order.objects.filter(status__in=HOLDS_RESERVATION, expires_at__lt=now)
    return list(overdue.order_by("expires_at")[:limit])


def expire_order(*, order: Order) -> bool:
    """Cancel one unpaid order whose window passed, releasing its stock; False if it changed state meanwhile."""
    try:
        transition_order(order_id=order.pk, to=OrderStatus.CANCELLED, actor=None, reason=_("Payment window expired"))
        return True
    except InvalidTransition:
        logger.info("order %s changed state before it could expire", order.order_no)
        return False


def expire_overdue_orders(*, now: datetime | None = None, limit: int = 500) -> int:
    """Cancel every overdue unpaid order (no gateway involved). Returns how many."""
    return sum(expire_order(order=order) for order in overdue_orders(now=now or timezone.now(), limit=limit))
