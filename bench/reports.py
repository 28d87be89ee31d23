"""How fast the reports, their exports, the dashboard and the exception queue answer on a million orders.

Seeds (or, with ``--reuse``, keeps) a scratch PostgreSQL shop by SQL, as bench/order_list.py does, but with whole
lifecycles over two years: orders in every status with two lines each, their allocations in three warehouses,
payments by three methods within 30 minutes, shipping events and parcels, deliveries, full and partial refunds,
orders in exception states and open payment issues. Then it fills the report rollups by one SQL aggregation (the
definition of ``oms.reports.aggregate``; ``oms rollups rebuild`` gives the same rows, slowly) and times every report page, export and the dashboard through the real views
(Django's test client, in-process), printing the median and p90 of ``--repeat`` runs, and the peak Python memory
of each export (tracemalloc), the largest last.

    python bench/reports.py [--orders 1000000] [--repeat 7] [--reuse]

Needs PostgreSQL reachable as a superuser (it drops and recreates ``--database-url``, whose name must contain
"bench"). Seeding a million orders and rebuilding the rollups take a few minutes.
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

REPO_ROOT = Path(__file__).resolve().parents[1]
STATUSES = [
    *["completed"] * 70,
    *["cancelled"] * 8,
    *["shipped"] * 8,
    *["awaiting_shipment"] * 4,
    *["paid"] * 3,
    *["refunded"] * 3,
    *["pending_payment"] * 2,
    *["payment_failed", "shipment_failed"],
]
METHODS = [*["alipay"] * 6, *["balance"] * 3, "offline"]
DAYS = 730


def say(message: str) -> None:
    print(message, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--skus", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each page (after one warm-up)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/oms_bench_reports")
    parser.add_argument("--reuse", action="store_true", help="keep the database a previous run seeded (same --orders)")
    parser.add_argument("--fill-rollups", action="store_true", help="with --reuse: aggregate the rollups again")
    return parser.parse_args()


def recreate_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"refusing to drop {name!r}: the database name must contain 'bench'")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seeded_orders(url: str) -> int | None:
    try:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM orders_order WHERE order_no LIKE 'R%'").fetchone()[0]
    except psycopg.Error:
        return None


def setup_django(url: str, var_dir: Path) -> None:
    (var_dir / "static").mkdir(parents=True, exist_ok=True)
    os.environ.update(
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_hex(16),
        OMS_VAR_DIR=str(var_dir),
        DJANGO_SETTINGS_MODULE="oms.settings",
    )
    os.environ.pop("DEBUG", None)
    sys.path.insert(0, str(REPO_ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


# Each statement takes a batch of orders ``g`` in [lo, hi]; hashint4(g + n) gives the n-th random number of an order.
R = "(hashint4(g + {n}) & 2147483647)"


def seed(args: argparse.Namespace) -> None:
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO auth_user (username, password, first_name, last_name, email, is_staff, is_active,"
            " is_superuser, date_joined) SELECT 'customer-' || lpad(g::text, 6, '0'), '!', '', '', '', false, true,"
            " false, now() FROM generate_series(1, %s) g",
            [args.customers],
        )
        cur.execute(
            "INSERT INTO catalog_product (name, description, is_active, created_at)"
            " SELECT 'Product ' || g, '', true, now() FROM generate_series(1, 200) g"
        )
        cur.execute("SELECT min(id) FROM catalog_product")
        first_product = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO catalog_sku (product_id, code, name, price, is_active, created_at)"
            " SELECT %s + g %% 200, 'SKU-' || lpad(g::text, 5, '0'), 'Item ' || g,"
            " (10 + g %% 300)::numeric(12, 2), true, now() FROM generate_series(1, %s) g",
            [first_product, args.skus],
        )
        cur.execute(
            "INSERT INTO inventory_warehouse (code, name, priority, region, is_active) VALUES"
            " ('SH', 'Shanghai', 10, 'Shanghai', true), ('BJ', 'Beijing', 20, 'Beijing', true),"
            " ('GZ', 'Guangzhou', 30, 'Guangdong', true)"
        )
        _open_stock()
        cur.execute("SELECT min(id) FROM auth_user WHERE username LIKE 'customer-%%'")
        first_customer = cur.fetchone()[0]
        cur.execute("SELECT min(id) FROM catalog_sku")
        first_sku = cur.fetchone()[0]
        staff = _staff_id(cur)
        batch = 100_000
        for lo in range(1, args.orders + 1, batch):
            hi = min(lo + batch - 1, args.orders)
            _seed_batch(cur, args, lo, hi, first_customer, first_sku, staff)
            say(f"  seeded {hi:,} of {args.orders:,} orders with their lifecycles ({time.monotonic() - started:.0f} s)")
        # Open payment issues (the exception queue's second source).
        cur.execute(
            "INSERT INTO payments_paymentissue (order_id, kind, detail, created_at)"
            " SELECT id, 'reconciliation', 'Bench difference', created_at + interval '1 day'"
            " FROM orders_order WHERE status = 'completed' AND id % 1000 = 7"
        )
        cur.execute("VACUUM ANALYZE")
    say(f"  seeded and analysed in {time.monotonic() - started:.0f} s")


def _open_stock() -> None:
    """A million units of every SKU in every warehouse, through the stock ledger (with their receipts)."""
    from django.db import transaction

    from oms.catalog.models import Sku
    from oms.inventory import ledger
    from oms.inventory.models import Warehouse

    units = {
        (sku, warehouse): 1_000_000
        for sku in Sku.objects.values_list("pk", flat=True)
        for warehouse in Warehouse.objects.values_list("pk", flat=True)
    }
    with transaction.atomic():
        ledger.open_stock(units=units, actor=None, note="Bench stock")


def _staff_id(cur) -> int:
    cur.execute(
        "INSERT INTO auth_user (username, password, first_name, last_name, email, is_staff, is_active, is_superuser,"
        " date_joined) VALUES ('bench-staff', '!', '', '', '', true, true, true, now()) RETURNING id"
    )
    return cur.fetchone()[0]


def _seed_batch(cur, args, lo: int, hi: int, first_customer: int, first_sku: int, staff: int) -> None:
    from django.db import transaction

    from oms.inventory import ledger

    paid_statuses = "('completed', 'shipped', 'awaiting_shipment', 'paid', 'refunded', 'shipment_failed')"
    cur.execute(
        "INSERT INTO orders_order (order_no, status, currency, subtotal, shipping_fee, total_amount,"
        " shipping_address, request_fingerprint, payment_method, created_at, expires_at, paid_at,"
        " updated_at, customer_id)"
        " SELECT 'R' || lpad(g::text, 19, '0'), st.status, 'CNY', 100 + g %% 97, 10, 110 + g %% 97,"
        " '{}'::jsonb, '', CASE WHEN st.status IN "
        + paid_statuses
        + " THEN (%s::text[])[1 + "
        + R.format(n=3)
        + " %% %s] ELSE '' END, t, t + interval '30 minutes',"
        " CASE WHEN st.status IN " + paid_statuses + " THEN t + interval '1 second' * (" + R.format(n=5) + " %% 1800)"
        " END, t, %s + " + R.format(n=7) + " %% %s"
        " FROM generate_series(%s, %s) g,"
        " LATERAL (SELECT now() - interval '1 second' * (" + R.format(n=11) + " %% (%s * 86400)) AS t) at_,"
        " LATERAL (SELECT (%s::text[])[1 + " + R.format(n=1) + " %% %s] AS status) st",
        [METHODS, len(METHODS), first_customer, args.customers, lo, hi, DAYS, STATUSES, len(STATUSES)],
    )
    in_batch = "o.order_no BETWEEN %s AND %s"
    bounds = [f"R{lo:019d}", f"R{hi:019d}"]
    # Two lines: a skewed pick (best sellers, a long tail) and another SKU.
    cur.execute(
        "INSERT INTO orders_orderitem (order_id, sku_id, sku_code, name, unit_price, quantity, line_total)"
        " SELECT o.id, s.id, s.code, s.name, 50, 1 + line.n %% 2, 50 * (1 + line.n %% 2) FROM orders_order o"
        " CROSS JOIN LATERAL (SELECT floor(power((hashint4(o.id::int) & 2147483647) / 2147483648.0, 3)"
        " * %s)::int AS a, (hashint4((o.id + 13)::int) & 2147483647) %% (%s - 1) AS u) pick"
        " CROSS JOIN LATERAL (VALUES (pick.a), ((pick.a + 1 + pick.u) %% %s)) line(n)"
        " JOIN catalog_sku s ON s.id = %s + line.n WHERE " + in_batch,
        [args.skus, args.skus, args.skus, first_sku, *bounds],
    )
    # Allocations (through the stock ledger): both lines from one warehouse, picked per order (the rollups' key).
    cur.execute(
        "SELECT i.order_id, st.id, i.quantity, CASE WHEN o.paid_at IS NULL THEN 'released' ELSE 'deducted' END"
        " FROM orders_orderitem i JOIN orders_order o ON o.id = i.order_id"
        " JOIN inventory_warehouse w ON w.priority = 10 * (1 + (hashint4(o.id::int) & 2147483647) %% 3)"
        " JOIN inventory_stock st ON st.sku_id = i.sku_id AND st.warehouse_id = w.id WHERE " + in_batch,
        bounds,
    )
    with transaction.atomic():
        ledger.open_settled_allocations(rows=cur.fetchall())
    # Shipped within 2-72 hours of payment; completed orders delivered 1-5 days later.
    shipped = "('completed', 'shipped', 'shipment_failed')"
    ship_at = "o.paid_at + interval '1 minute' * (120 + (hashint4(o.id::int + 17) & 2147483647) %% 4200)"
    cur.execute(
        "INSERT INTO orders_orderevent (order_id, from_status, to_status, reason, created_at)"
        f" SELECT o.id, 'awaiting_shipment', 'shipped', 'Shipped', {ship_at} FROM orders_order o"
        f" WHERE o.status IN {shipped} AND " + in_batch,
        bounds,
    )
    cur.execute(
        "INSERT INTO shipping_shipment (order_id, warehouse_id, carrier, tracking_no, status, shipped_by_id,"
        " created_at, shipped_at, delivered_at, updated_at)"
        " SELECT o.id, w.id, 'sim', 'T' || o.id,"
        " CASE o.status WHEN 'completed' THEN 'delivered' WHEN 'shipment_failed' THEN 'exception' ELSE 'in_transit' END,"
        f" %s, o.paid_at, {ship_at},"
        f" CASE WHEN o.status = 'completed' THEN {ship_at} + interval '1 minute' * (1440"
        " + (hashint4(o.id::int + 19) & 2147483647) %% 5760) END, o.updated_at"
        " FROM orders_order o JOIN inventory_warehouse w ON w.priority = 10 * (1 + (hashint4(o.id::int) & 2147483647) %% 3)"
        f" WHERE o.status IN {shipped} AND " + in_batch,
        [staff, *bounds],
    )
    # Refunds: refunded orders in full within a day of payment; 2 % of completed ones in part, a week later.
    cur.execute(
        "INSERT INTO payments_payment (order_id, method, amount, refunded_amount, status, out_trade_no,"
        " gateway_trade_no, failure_reason, created_at, succeeded_at, updated_at)"
        " SELECT o.id, o.payment_method, o.total_amount,"
        " CASE WHEN o.status = 'refunded' THEN o.total_amount ELSE 20 END,"
        " CASE WHEN o.status = 'refunded' THEN 'refunded' ELSE 'partially_refunded' END, 'P' || o.order_no, '',"
        " '', o.paid_at, o.paid_at, o.updated_at FROM orders_order o"
        " WHERE (o.status = 'refunded' OR (o.status = 'completed' AND o.id %% 50 = 3)) AND " + in_batch,
        bounds,
    )
    cur.execute(
        "INSERT INTO payments_refund (order_id, payment_id, amount, reason, out_request_no, status,"
        " order_status_before, restock, items, failure_reason, actor_id, automatic, attempts, request_fingerprint,"
        " created_at, completed_at)"
        " SELECT p.order_id, p.id, p.refunded_amount, 'bench', 'F' || o.order_no, 'succeeded', 'paid', false,"
        " '[]'::jsonb, '', %s, false, 1, '', c.at, c.at FROM payments_payment p JOIN orders_order o ON o.id = p.order_id"
        " CROSS JOIN LATERAL (SELECT LEAST(now(), o.paid_at + CASE WHEN o.status = 'refunded' THEN interval '20 hours'"
        " ELSE interval '7 days' END) AS at) c WHERE " + in_batch,
        [staff, *bounds],
    )
    # Fresh statistics for the next batch's joins (the planner would otherwise scan the growing tables).
    cur.execute(
        "ANALYZE orders_order, orders_orderitem, inventory_allocation, orders_orderevent, shipping_shipment,"
        " payments_payment, payments_refund"
    )


# The rollups of the seeded shop, aggregated by SQL as oms.reports.aggregate defines them (local day in
# Asia/Shanghai, the warehouse the seeding picked for the order, the method once paid): on a loaded 2-core box
# `oms rollups rebuild` does about 25,000 orders a minute, too slow to run before every benchmark.
BUCKET = "CASE WHEN {s} < 60 THEN 0 ELSE LEAST(60, 1 + floor(ln({s} / 60.0) / ln(1.25))::int) END"
FACTS = """
    CREATE TEMP TABLE bench_facts AS
    SELECT o.id, o.customer_id, (o.created_at AT TIME ZONE 'Asia/Shanghai')::date AS day, w.id AS warehouse_id,
           CASE WHEN o.paid_at IS NULL THEN '' ELSE o.payment_method END AS method, o.paid_at, o.created_at,
           o.status, o.total_amount
    FROM orders_order o
    JOIN inventory_warehouse w ON w.priority = 10 * (1 + (hashint4(o.id::int) & 2147483647) % 3)
"""
SALES = """
    INSERT INTO reporting_salesrollup (day, warehouse_id, payment_method, slot, orders, cancelled, paid_orders, units,
        gross_cents, first_orders, refunds_cents, refund_count)
    SELECT day, warehouse_id, method, 0, sum(orders), sum(cancelled), sum(paid), sum(units), sum(gross), sum(first),
           sum(refunds), sum(refund_count)
    FROM (
        SELECT f.day, f.warehouse_id, f.method, 1 AS orders,
               (f.paid_at IS NULL AND f.status = 'cancelled')::int AS cancelled, (f.paid_at IS NOT NULL)::int AS paid,
               CASE WHEN f.paid_at IS NULL THEN 0 ELSE i.units END AS units,
               CASE WHEN f.paid_at IS NULL THEN 0 ELSE (f.total_amount * 100)::bigint END AS gross,
               (first.id IS NOT NULL)::int AS first, 0 AS refunds, 0 AS refund_count
        FROM bench_facts f
        JOIN (SELECT order_id, sum(quantity) AS units FROM orders_orderitem GROUP BY order_id) i ON i.order_id = f.id
        LEFT JOIN (SELECT DISTINCT ON (customer_id) id FROM orders_order WHERE paid_at IS NOT NULL
                   ORDER BY customer_id, created_at, id) first ON first.id = f.id
        UNION ALL
        SELECT (r.completed_at AT TIME ZONE 'Asia/Shanghai')::date, f.warehouse_id, f.method, 0, 0, 0, 0, 0, 0,
               (r.amount * 100)::bigint, 1
        FROM payments_refund r JOIN bench_facts f ON f.id = r.order_id
        WHERE r.status = 'succeeded' AND NOT r.automatic
    ) facts
    GROUP BY day, warehouse_id, method
"""
SKUS = """
    INSERT INTO reporting_skurollup (day, warehouse_id, payment_method, sku_id, units, revenue_cents)
    SELECT f.day, f.warehouse_id, f.method, i.sku_id, sum(i.quantity), sum((i.line_total * 100)::bigint)
    FROM bench_facts f JOIN orders_orderitem i ON i.order_id = f.id WHERE f.paid_at IS NOT NULL
    GROUP BY 1, 2, 3, 4
"""
LEAD = f"""
    INSERT INTO reporting_leadtimerollup (day, warehouse_id, payment_method, stage, bucket, count)
    SELECT day, warehouse_id, method, stage, bucket, count(*) FROM (
        SELECT day, warehouse_id, method, 'to_pay' AS stage,
               {BUCKET.format(s="extract(epoch FROM paid_at - created_at)")} AS bucket
        FROM bench_facts WHERE paid_at IS NOT NULL
        UNION ALL
        SELECT f.day, f.warehouse_id, f.method, 'to_ship', {BUCKET.format(s="extract(epoch FROM e.first - f.paid_at)")}
        FROM bench_facts f JOIN (SELECT order_id, min(created_at) AS first FROM orders_orderevent
                                 WHERE to_status = 'shipped' GROUP BY order_id) e ON e.order_id = f.id
        WHERE f.paid_at IS NOT NULL
        UNION ALL
        SELECT f.day, f.warehouse_id, f.method, 'to_deliver',
               {BUCKET.format(s="extract(epoch FROM s.delivered_at - s.shipped_at)")}
        FROM bench_facts f JOIN shipping_shipment s ON s.order_id = f.id WHERE s.delivered_at IS NOT NULL
    ) lead GROUP BY 1, 2, 3, 4, 5
"""


def fill_rollups() -> None:
    import psycopg  # noqa: F401  (the statements above are PostgreSQL's)
    from django.db import connection

    with connection.cursor() as cur:
        for table in ("reporting_salesrollup", "reporting_skurollup", "reporting_leadtimerollup"):
            cur.execute(f"DELETE FROM {table}")
        for statement in (FACTS, SALES, SKUS, LEAD):
            cur.execute(statement)
        cur.execute("DROP TABLE bench_facts")
        cur.execute(
            "SELECT (SELECT count(*) FROM reporting_salesrollup), (SELECT count(*) FROM reporting_skurollup),"
            " (SELECT count(*) FROM reporting_leadtimerollup)"
        )
        say("  rollup rows: {:,} sales, {:,} SKU, {:,} lead time".format(*cur.fetchone()))


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    call()  # warm-up: caches, plans
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.9 * (len(samples) - 1))]


def peak_memory(call: Callable[[], object]) -> float:
    """Peak Python allocation (MiB) while the call runs, the response read to its end."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    call()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def scenarios() -> tuple[list[tuple[str, Callable[[], object]]], list[tuple[str, Callable[[], object]]]]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    staff = get_user_model().objects.get(username="bench-staff")
    console = Client()
    console.force_login(staff)
    today = timezone.localdate()

    def get(url: str) -> Callable[[], object]:
        def call() -> object:
            response = console.get(url)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
            body = b"".join(response.streaming_content) if response.streaming else response.content
            return io.BytesIO(body)

        return call

    def span(days: int) -> str:
        return f"first={today - timedelta(days=days - 1)}&last={today}"

    pages = [
        ("dashboard", get("/console/")),
        ("reports, 30 days by day (default)", get("/console/reports/")),
        ("reports, 90 days by day", get(f"/console/reports/?{span(90)}")),
        ("reports, 365 days by week", get(f"/console/reports/?{span(365)}&group=week")),
        ("reports, 3 years by month", get(f"/console/reports/?{span(1096)}&group=month")),
        ("reports, 3 years by day", get(f"/console/reports/?{span(1096)}")),
        ("reports, 90 days, one warehouse + alipay", get(f"/console/reports/?{span(90)}&warehouse=1&method=alipay")),
        ("exception queue, page 1", get("/console/exceptions/")),
        ("exception queue, page 200", get("/console/exceptions/?page=200")),
    ]
    exports = []
    for name in ("summary", "sales", "methods", "top_skus", "top_products", "customers", "lead_times", "exceptions"):
        exports.append((f"export {name}, 90 days, CSV", get(f"/console/reports/?{span(90)}&export={name}&format=csv")))
    exports += [
        ("export sales, 90 days, XLSX", get(f"/console/reports/?{span(90)}&export=sales&format=xlsx")),
        ("export top_skus, 3 years, XLSX", get(f"/console/reports/?{span(1096)}&export=top_skus&format=xlsx")),
        ("export lead_times, 3 years by day, CSV", get(f"/console/reports/?{span(1096)}&export=lead_times&format=csv")),
        ("export sales, 3 years by day, XLSX", get(f"/console/reports/?{span(1096)}&export=sales&format=xlsx")),
    ]
    return pages, exports


def main() -> int:
    args = parse_args()
    var_dir = Path(os.environ.get("TMPDIR", "/tmp")) / "oms-bench-reports"
    say(f"== Preparing {urlsplit(args.database_url).path.lstrip('/')} with {args.orders:,} orders")
    if args.reuse and seeded_orders(args.database_url) == args.orders:
        say("  reusing the orders a previous run seeded")
        setup_django(args.database_url, var_dir)
    else:
        recreate_database(args.database_url)
        setup_django(args.database_url, var_dir)
        seed(args)
    if not args.reuse or args.fill_rollups:
        say("\n== Report rollups, aggregated by SQL")
        started = time.monotonic()
        fill_rollups()
        say(f"  filled in {time.monotonic() - started:.0f} s")
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    pages, exports = scenarios()
    say(f"\n== Timing each page and export {args.repeat} times (after one warm-up), in-process")
    rows = []
    for name, call in [*pages, *exports]:
        median, p90 = timed(call, args.repeat)
        rows.append((name, median, p90))
        say(f"  {name:<46} median {median:7.1f} ms   p90 {p90:7.1f} ms")
    say("\n== Peak Python memory of each export (tracemalloc)")
    peaks = sorted(((peak_memory(call), name) for name, call in exports), reverse=True)
    for peak, name in peaks:
        say(f"  {name:<46} {peak:6.2f} MiB")
    say("\n== Summary")
    say(f"{'page or export':<46} {'median ms':>10} {'p90 ms':>8}")
    for name, median, p90 in rows:
        say(f"{name:<46} {median:10.1f} {p90:8.1f}")
    say(f"largest export peak: {peaks[0][0]:.2f} MiB ({peaks[0][1]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
