"""``oms demo [--orders N]``: realistic demo data, made through the real services, safe to run again.

Base data (users, warehouses, catalog, stock) is created when missing and never overwritten, so edits survive
a re-run. Orders carry the idempotency keys ``demo-0`` … ``demo-{N-1}``; a re-run only places missing ones.
What the demo holds (tables, prices, addresses, each order's story) is drawn in oms.runtime.demo_data; this module
writes it.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Case, Count, F, Value, When
from django.utils import timezone
from tqdm import tqdm

from oms.accounts.services import ensure_staff_groups
from oms.catalog.models import Product, Sku
from oms.inventory.errors import InsufficientStock
from oms.inventory.ledger import backdate_movements, open_stock
from oms.inventory.models import Stock, StockMovement, Warehouse
from oms.inventory.services import set_stock_level
from oms.orders.models import Order, OrderEvent
from oms.orders.services import place_order
from oms.orders.states import OrderStatus
from oms.orders.transitions import transition_order
from oms.payments.balance import set_payment_password, top_up_balance
from oms.payments.models import BalanceAccount, Refund
from oms.payments.refunds import refund_order
from oms.payments.services import record_offline_payment
from oms.planning.services import compute_all_forecasts
from oms.purchasing.demo import ensure_demo_purchasing
from oms.reports.rebuild import rebuild_rollups
from oms.runtime.demo_data import (
    DEMO_BALANCE,
    DEMO_PAYMENT_PASSWORD,
    EXTRA_CUSTOMERS,
    GIVEN_NAMES,
    HELD_FOR_STAFF,
    HISTORY,
    INACTIVE_EVERY,
    SURNAMES,
    WAREHOUSES,
    Step,
    catalog_rows,
    customer_addresses,
    pick_lines,
    placement_times,
    plan_statuses,
    popularity,
    story,
    timeline,
)
from oms.shipping.models import Shipment, TrackingEvent
from oms.shipping.services import confirm_order, confirm_receipt, record_tracking_event, ship_shipment

S = OrderStatus
Kind = StockMovement.Kind
KEY_PREFIX = "demo-"
STAFF_GROUP_NAMES = ("Order managers", "Inventory managers")
# Demo passwords equal the usernames, so hashing them at full strength (~0.2 s each) buys nothing; Django
# re-hashes with the configured iterations at the first login (PBKDF2's must_update).
DEMO_HASH_ITERATIONS = 1000


@dataclass(frozen=True)
class Cast:
    """Who acts in the order stories."""

    customers: list[User]
    weights: list[float]
    ops: User
    addresses: dict[int, list[dict[str, str]]]


@dataclass(frozen=True)
class Result:
    created: int
    skipped: int


class Command(BaseCommand):
    help = "Create demo users, warehouses, catalog, stock and orders (safe to run again: only tops up)."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=3000, help="demo orders to have (default 3000)")
        parser.add_argument("--seed", type=int, default=2024, help="random seed (the data is deterministic)")

    def handle(self, *args, orders: int, seed: int, verbosity: int = 1, **options):
        if orders < 0:
            raise CommandError("--orders must be 0 or more.")
        if settings.OMS_ENV == "production":
            raise CommandError("Refusing to load demo data (with admin/admin) when OMS_ENV=production.")
        started, now = time.monotonic(), timezone.now()
        show = verbosity > 0
        self._say(show, "Users, warehouses, catalog…")
        cast = ensure_users(seed=seed)
        warehouses = ensure_warehouses()
        codes = ensure_catalog(seed=seed)
        ensure_stock(seed=seed, warehouses=warehouses, since=now - HISTORY, actor=cast.ops)
        ensure_demo_balance(customer=cast.customers[0], actor=cast.ops)
        result = top_up_orders(total=orders, seed=seed, now=now, cast=cast, codes=codes, progress=show)
        ensure_demo_purchasing(actor=cast.ops, now=now)  # after the orders: receipts come on top of their stock
        # The history above was backdated after the services counted it: count it again from the tables.
        self._say(show, "Report rollups…")
        rebuild_rollups()
        self._say(show, "Demand forecasts…")  # the nightly job's work, so the inventory page has a plan at once
        compute_all_forecasts()
        if show:
            self._summary(result=result, seconds=time.monotonic() - started)

    def _say(self, show: bool, text: str) -> None:
        if show:
            self.stdout.write(text)

    def _summary(self, *, result: Result, seconds: float) -> None:
        counts = dict(Order.objects.values_list("status").annotate(n=Count("id")).order_by())
        self.stdout.write(
            f"\nDemo data ready in {seconds:.1f} s: {result.created} orders placed this run"
            f" ({result.skipped} skipped for lack of stock), {Order.objects.count()} in the database."
        )
        self.stdout.write(
            f"{get_user_model().objects.count()} users, {Warehouse.objects.count()} warehouses, "
            f"{Product.objects.count()} products, {Sku.objects.count()} SKUs, "
            f"{Stock.objects.count()} stock rows."
        )
        self.stdout.write("Orders by status:")
        for status in OrderStatus:
            self.stdout.write(f"  {status.label:<18} {counts.get(status.value, 0):>6}")
        self.stdout.write(
            self.style.SUCCESS(
                "Log in: admin/admin (staff), alice/alice, bob/bob (customers); ops/ops (order and inventory "
                "manager). Other demo customers: password = username."
            )
        )


# --- Users --------------------------------------------------------------------------------------------------


def demo_password(raw: str) -> str:
    try:
        hasher = get_hasher("pbkdf2_sha256")
    except ValueError:  # PBKDF2 not among PASSWORD_HASHERS: take the slow, configured path
        return make_password(raw)
    if not isinstance(hasher, PBKDF2PasswordHasher):
        return make_password(raw)
    return hasher.encode(raw, hasher.salt(), iterations=DEMO_HASH_ITERATIONS)


def ensure_user(*, username: str, first: str = "", last: str = "", staff: bool = False, superuser: bool = False):
    """Create the user (password = username) if missing; an existing user and its password are left alone."""
    user, _ = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "email": f"{username}@example.com",
            "first_name": first,
            "last_name": last,
            "is_staff": staff or superuser,
            "is_superuser": superuser,
            "password": demo_password(username),
        },
    )
    return user


def ensure_users(*, seed: int) -> Cast:
    ensure_staff_groups()
    ensure_user(username="admin", first="管理员", superuser=True)
    ops = ensure_user(username="ops", first="运营", last="团队", staff=True)
    groups = list(Group.objects.filter(name__in=STAFF_GROUP_NAMES))
    if len(groups) != len(STAFF_GROUP_NAMES):
        raise CommandError(f"Expected staff groups {STAFF_GROUP_NAMES}; ensure_staff_groups() made others.")
    ops.groups.add(*groups)
    rng = random.Random(f"{seed}:names")
    names = rng.sample([(s, g) for s in SURNAMES for g in GIVEN_NAMES], EXTRA_CUSTOMERS)
    customers = [ensure_user(username="alice", first="爱琳", last="李")]
    customers.append(ensure_user(username="bob", first="波", last="张"))
    # usernames in pinyin (wang.wei), names in characters (王 伟)
    customers += [ensure_user(username=f"{s[0]}.{g[0]}".lower(), first=g[1], last=s[1]) for s, g in names]
    # alice and bob are the logins people try first: give them plenty of history.
    weights = [8.0, 8.0] + [84.0 / EXTRA_CUSTOMERS] * EXTRA_CUSTOMERS
    addresses = {user.pk: customer_addresses(user=user, seed=seed) for user in customers}
    return Cast(customers=customers, weights=weights, ops=ops, addresses=addresses)


def ensure_demo_balance(*, customer, actor) -> None:
    """alice starts with 10000.00 of store balance and payment password 123456 (bob has none)."""
    if BalanceAccount.objects.filter(customer=customer).exists():
        return
    top_up_balance(customer=customer, amount=DEMO_BALANCE, actor=actor, reason="演示初始余额")
    set_payment_password(customer=customer, raw_password=DEMO_PAYMENT_PASSWORD)


# --- Warehouses, catalog, stock -----------------------------------------------------------------------------


def ensure_warehouses() -> list[Warehouse]:
    for code, name, priority, region in WAREHOUSES:
        Warehouse.objects.get_or_create(code=code, defaults={"name": name, "priority": priority, "region": region})
    return list(Warehouse.objects.filter(code__in=[w[0] for w in WAREHOUSES], is_active=True))


def ensure_catalog(*, seed: int) -> list[str]:
    """Create missing products and SKUs; return the active demo SKU codes, in catalog order."""
    rows = catalog_rows(seed=seed)
    names = list(dict.fromkeys(row[0] for row in rows))
    have = set(Product.objects.filter(name__in=names).values_list("name", flat=True))
    Product.objects.bulk_create(
        [Product(name=name, description=f"演示商品：{name}。") for name in names if name not in have]
    )
    products = {}
    for product in Product.objects.filter(name__in=names).order_by("-id"):
        products[product.name] = product  # the oldest wins if a name was used twice
    codes = set(Sku.objects.filter(code__in=[row[1] for row in rows]).values_list("code", flat=True))
    Sku.objects.bulk_create(
        [
            Sku(
                product=products[product],
                code=code,
                name=name,
                price=price,
                is_active=index % INACTIVE_EVERY != INACTIVE_EVERY - 1,
            )
            for index, (product, code, name, price) in enumerate(rows)
            if code not in codes
        ]
    )
    active = set(Sku.objects.filter(code__in=[row[1] for row in rows], is_active=True).values_list("code", flat=True))
    return [row[1] for row in rows if row[1] in active]


def ensure_stock(*, seed: int, warehouses: list[Warehouse], since: datetime, actor) -> None:
    """Opening stock: each demo SKU in 1-3 warehouses, for the rows that do not exist yet (others are kept).

    Opened in bulk through the stock ledger (``open_stock``), each with its RECEIPT movement, because going through
    ``set_stock_level`` row by row was most of a small demo's run time; brand-new rows have nothing reserved.
    """
    skus = Sku.objects.filter(code__in=[row[1] for row in catalog_rows(seed=seed)]).order_by("code")
    have = set(Stock.objects.values_list("sku_id", "warehouse_id"))
    opening: dict[tuple[int, int], int] = {}
    for sku in skus:
        rng = random.Random(f"{seed}:stock:{sku.code}")
        count = rng.choices([1, 2, 3], weights=[35, 45, 20])[0]
        for warehouse in rng.sample(warehouses, min(count, len(warehouses))):
            on_hand = rng.randint(20, 150)
            if (sku.pk, warehouse.pk) not in have:
                opening[sku.pk, warehouse.pk] = on_hand
    with transaction.atomic():
        # Opening stock predates the order history.
        open_stock(units=opening, actor=actor, note="Opening", at=since)


# --- Orders -------------------------------------------------------------------------------------------------


def top_up_orders(*, total: int, seed: int, now: datetime, cast: Cast, codes: list[str], progress: bool) -> Result:
    """Place the demo orders that do not exist yet, oldest first."""
    plan = plan_statuses(total, seed=seed)
    times = placement_times(plan, now=now, seed=seed)
    existing = set(
        Order.objects.filter(idempotency_key__startswith=KEY_PREFIX).values_list("idempotency_key", flat=True)
    )
    todo = [i for i in range(total) if f"{KEY_PREFIX}{i}" not in existing]
    weights = popularity(codes, seed) if codes else []
    created = skipped = 0
    for index in tqdm(todo, desc="Orders", unit="order", disable=None if progress else True):
        rng = random.Random(f"{seed}:order:{index}")
        order = create_demo_order(
            key=f"{KEY_PREFIX}{index}",
            status=plan[index],
            placed_at=times[index],
            rng=rng,
            cast=cast,
            lines=pick_lines(rng, codes, weights),
        )
        created += order is not None
        skipped += order is None
    return Result(created=created, skipped=skipped)


def create_demo_order(*, key, status, placed_at, rng, cast: Cast, lines) -> Order | None:
    """Place one order and walk it to ``status``; None if it could not be placed (even after a restock).

    One transaction per order: a story cut short would leave an order that its key marks as done.
    """
    customer = rng.choices(cast.customers, weights=cast.weights)[0]
    address = cast.addresses[customer.pk][0 if rng.random() < 0.8 else 1]
    steps = story(status, rng)
    at = timeline(placed_at, steps)
    actors = {"customer": customer, "staff": cast.ops, "system": None}
    with transaction.atomic():
        order = place_with_restock(
            customer=customer,
            lines=lines,
            address=address,
            key=key,
            now=placed_at,
            restocker=cast.ops,
            rng=rng,
        )
        if order is None:
            return None
        for step in steps:
            take_step(order=order, step=step, actor=actors[step.by], at=at, key=key)
        backdate(order=order, placed_at=placed_at, at=at)
        if status == S.PAYMENT_FAILED:
            Order.objects.filter(pk=order.pk).update(expires_at=placed_at + HELD_FOR_STAFF)
    return order


def take_step(*, order: Order, step: Step, actor, at: dict[OrderStatus, datetime], key: str) -> None:
    """One step of a story, through the service a person or system would use for it."""
    if step.to == S.PAID:
        record_offline_payment(order=order, actor=actor, reference=f"DEMO-{key}", paid_at=at[S.PAID])
    elif step.to == S.AWAITING_SHIPMENT:
        confirm_order(order=order, actor=actor)
    elif step.to == S.SHIPPED:
        for number, shipment in enumerate(order.shipments.filter(status="pending"), start=1):
            tracking_no = f"SIM{order.order_no}{number}"
            ship_shipment(shipment=shipment, carrier="sim", tracking_no=tracking_no, actor=actor, now=at[S.SHIPPED])
    elif step.to in (S.COMPLETED, S.SHIPMENT_FAILED):
        # The carrier's last word on each parcel, as its webhook would bring it.
        delivered = step.to == S.COMPLETED
        for shipment in order.shipments.all():
            record_tracking_event(
                carrier=shipment.carrier,
                event_id=f"demo-{shipment.tracking_no}",
                tracking_no=shipment.tracking_no or "",  # shipped above, so never empty
                status="delivered" if delivered else "returned",
                occurred_at=at[step.to] - timedelta(hours=6),
                location="Customer's door" if delivered else "Sorting centre",
                description="Signed for" if delivered else step.reason,
            )
        if delivered:
            confirm_receipt(order=order, customer=order.customer)
    elif step.to == S.REFUNDED:
        refund_order(order=order, reason=step.reason, actor=actor)
    else:
        transition_order(order_id=order.pk, to=step.to, actor=actor, reason=step.reason)


def place_with_restock(*, customer, lines, address, key, now, restocker, rng) -> Order | None:
    """place_order, and once more after a supplier delivery if it ran out of stock; None if still short."""
    for attempt in range(2):
        try:
            placed = place_order(customer=customer, items=lines, address=address, idempotency_key=key, now=now)
            return placed.order if placed.created else None
        except InsufficientStock as short:
            if attempt:
                return None
            wanted = {line.sku: line.quantity for line in lines}
            for code in short.sku_codes:
                restock(code=code, quantity=wanted[code] + rng.randint(60, 240), at=now, actor=restocker)
    return None


def restock(*, code: str, quantity: int, at: datetime, actor) -> None:
    """A supplier delivery into the SKU's first warehouse, through the service (so a movement is written)."""
    rows = Stock.objects.select_related("sku", "warehouse").filter(sku__code=code).order_by("warehouse__priority")
    stock = rows.first()
    if stock is None:
        return
    stock = set_stock_level(
        sku=stock.sku,
        warehouse=stock.warehouse,
        on_hand=stock.on_hand + quantity,
        actor=actor,
        note="Supplier delivery",
    )
    latest = StockMovement.objects.filter(stock=stock, order=None).order_by("-id").values_list("pk", flat=True)
    backdate_movements(movements=StockMovement.objects.filter(pk__in=list(latest[:1])), at=at - timedelta(hours=1))


def backdate(*, order: Order, placed_at: datetime, at: dict[OrderStatus, datetime]) -> None:
    """Give the order's events and stock movements the story's times instead of the run's clock.

    The demo is the only code allowed to rewrite timestamps: services always stamp the real time (placement
    and payment times came in through ``place_order(now=)`` and ``mark_order_paid(paid_at=)``).
    """
    if S.REFUNDED in at:
        at = {**at, S.REFUNDING: at[S.REFUNDED]}  # the refund passes through refunding at the same moment
    if at:
        Order.objects.filter(pk=order.pk).update(updated_at=max(at.values()))
        events = [When(to_status=status, then=Value(when)) for status, when in at.items()]
        OrderEvent.objects.filter(order=order).update(created_at=Case(*events, default=F("created_at")))
    kinds: dict[str, datetime | None] = {
        Kind.RESERVE: placed_at,
        Kind.DEDUCT: at.get(S.PAID),
        Kind.RELEASE: at.get(S.CANCELLED),
    }
    backdate_movements(movements=StockMovement.objects.filter(order=order), at=kinds)
    if S.REFUNDED in at:  # the reports count refunds on the day the money went back
        Refund.objects.filter(order=order).update(created_at=at[S.REFUNDED], completed_at=at[S.REFUNDED])
    if S.AWAITING_SHIPMENT in at:
        Shipment.objects.filter(order=order).update(created_at=at[S.AWAITING_SHIPMENT])
        TrackingEvent.objects.filter(shipment__order=order).update(received_at=F("occurred_at"))
