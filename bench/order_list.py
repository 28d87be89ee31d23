"""How fast the order list answers on a large shop: the API and the console list over a million orders.

Seeds a scratch PostgreSQL database with ``--orders`` orders (two lines each, spread over a year, every status,
10,000 customers), then times each way of searching through the real views (Django's test client, in-process,
so only the app and the database are measured), and prints the median and p90 of ``--repeat`` runs with the plan
PostgreSQL chose for the main query. A "Seq Scan" on orders or items, or a plan that sorts the whole table,
would show as slow here long before a shop noticed.

    python bench/order_list.py [--orders 1000000] [--repeat 15]

Needs PostgreSQL reachable as a superuser (it drops and recreates ``--database-url``, whose name must contain
"bench"). Seeding a million orders takes about a minute and a half.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import sys
import time
from collections.abc import Callable
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


def say(message: str) -> None:
    print(message, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--skus", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=15, help="timed runs of each query (after one warm-up)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/oms_bench_list")
    parser.add_argument("--reuse", action="store_true", help="keep the database a previous run seeded (same --orders)")
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
            return conn.execute("SELECT count(*) FROM orders_order WHERE order_no LIKE 'B%'").fetchone()[0]
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


def seed(args: argparse.Namespace) -> None:
    """Customers, SKUs and ``--orders`` orders with two lines each, in batches of 100,000, by SQL."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO auth_user (username, password, first_name, last_name, email, is_staff, is_active,"
            " is_superuser, date_joined) SELECT 'customer-' || lpad(g::text, 5, '0'), '!', '', '', '', false, true,"
            " false, now() FROM generate_series(1, %s) g",
            [args.customers],
        )
        cur.execute(
            "INSERT INTO catalog_product (name, description, is_active, created_at)"
            " VALUES ('Bench product', '', true, now())"
        )
        cur.execute(
            "INSERT INTO catalog_sku (product_id, code, name, price, is_active, created_at)"
            " SELECT (SELECT max(id) FROM catalog_product), 'SKU-' || lpad(g::text, 5, '0'), 'Item ' || g,"
            " (10 + g %% 300)::numeric(12, 2), true, now() FROM generate_series(1, %s) g",
            [args.skus],
        )
        cur.execute("SELECT min(id) FROM auth_user WHERE username LIKE 'customer-%%'")
        first_customer = cur.fetchone()[0]
        cur.execute("SELECT min(id) FROM catalog_sku")
        first_sku = cur.fetchone()[0]
        batch = 100_000
        for lo in range(1, args.orders + 1, batch):
            hi = min(lo + batch - 1, args.orders)
            cur.execute(
                "INSERT INTO orders_order (order_no, status, currency, subtotal, shipping_fee, total_amount,"
                " shipping_address, request_fingerprint, payment_method, created_at, expires_at, paid_at,"
                " updated_at, customer_id)"
                " SELECT 'B' || lpad(g::text, 19, '0'), (%s::text[])[1 + (hashint4(g) & 2147483647) %% %s],"
                " 'CNY', 100, 0, 100, '{}'::jsonb, '', 'balance', t, t + interval '30 minutes', t, t,"
                " %s + (hashint4(g + 7) & 2147483647) %% %s"
                " FROM generate_series(%s, %s) g,"
                " LATERAL (SELECT now() - interval '365 days' * g / %s AS t) at_",
                [STATUSES, len(STATUSES), first_customer, args.customers, lo, hi, args.orders],
            )
            # Two lines per order: one from a skewed pick (a few best sellers, a long tail), one other SKU.
            cur.execute(
                "INSERT INTO orders_orderitem (order_id, sku_id, sku_code, name, unit_price, quantity, line_total)"
                " SELECT o.id, s.id, s.code, s.name, 50, 1, 50 FROM orders_order o"
                " CROSS JOIN LATERAL (SELECT floor(power((hashint4(o.id::int) & 2147483647) / 2147483648.0, 3)"
                " * %s)::int AS a, (hashint4((o.id + 13)::int) & 2147483647) %% (%s - 1) AS u) pick"
                " CROSS JOIN LATERAL (VALUES (pick.a), ((pick.a + 1 + pick.u) %% %s)) line(n)"
                " JOIN catalog_sku s ON s.id = %s + line.n"
                " WHERE o.order_no BETWEEN %s AND %s",
                [args.skus, args.skus, args.skus, first_sku, f"B{lo:019d}", f"B{hi:019d}"],
            )
            say(f"  seeded {hi:,} of {args.orders:,} orders ({time.monotonic() - started:.0f} s)")
        cur.execute("VACUUM ANALYZE")  # as autovacuum leaves a table that has settled: index-only scans work
    say(f"  seeded and analysed in {time.monotonic() - started:.0f} s")


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    call()  # warm-up: caches, plans
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.9 * (len(samples) - 1))]


def plan_of(call: Callable[[], object]) -> str:
    """The plan of the slowest statement the call runs (the list query itself)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    main = max(captured.captured_queries, key=lambda q: float(q["time"]))["sql"]
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + main)
        lines = [row[0].strip().removeprefix("->  ") for row in cur.fetchall()]
    # The scans say whether an index served the query; a "Seq Scan" on orders or items means it did not.
    scans = [re.sub(r"\s*\(actual (rows=\d+) loops=(\d+)\)", r" [\1 x\2]", line) for line in lines if "Scan" in line]
    return "; ".join(dict.fromkeys(scans))


def scenarios(args: argparse.Namespace) -> list[tuple[str, Callable[[], object]]]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from rest_framework.test import APIClient

    user_model = get_user_model()
    staff = user_model.objects.filter(username="bench-staff").first() or user_model.objects.create_superuser(
        "bench-staff", password="!"
    )
    customer = user_model.objects.get(username="customer-00042")
    api_staff, api_customer, console = APIClient(), APIClient(), Client()
    api_staff.force_authenticate(staff)
    api_customer.force_authenticate(customer)
    console.force_login(staff)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT order_no, created_at::date FROM orders_order ORDER BY id LIMIT 1 OFFSET %s", [args.orders // 2]
        )
        middle_no, middle_day = cur.fetchone()
    deep = {"url": None}

    def ok(response):
        assert response.status_code == 200, (response.status_code, response.content[:300])
        return response

    def api(client, query=""):
        return lambda: ok(client.get(f"/api/v1/orders/?{query}"))

    def follow_api_pages(pages: int) -> None:
        url = "/api/v1/orders/?page_size=50"
        for _ in range(pages):
            url = ok(api_staff.get(url)).json()["next"]
        deep["url"] = url

    def console_page(query=""):
        return lambda: ok(console.get(f"/console/orders/?{query}"))

    follow_api_pages(200)  # 10,000 orders in: the cursor must cost what the first page costs
    return [
        ("API, staff, newest first", api(api_staff)),
        ("API, staff, page 201 by cursor", lambda: ok(api_staff.get(deep["url"]))),
        ("API, staff, status=paid", api(api_staff, "status=paid")),
        ("API, staff, status=payment_failed (rare)", api(api_staff, "status=payment_failed")),
        ("API, staff, customer=customer-00042", api(api_staff, "customer=customer-00042")),
        ("API, staff, sku=SKU-00001 (best seller)", api(api_staff, "sku=SKU-00001")),
        (f"API, staff, sku=SKU-{args.skus:05d} (long tail)", api(api_staff, f"sku=SKU-{args.skus:05d}")),
        (f"API, staff, one day ({middle_day})", api(api_staff, f"created_from={middle_day}&created_to={middle_day}")),
        ("API, staff, order_no", api(api_staff, f"order_no={middle_no}")),
        ("API, customer, own orders", api(api_customer)),
        ("console, orders list", console_page()),
        ("console, status=shipped + sku", console_page("status=shipped&sku=SKU-00003")),
    ]


def main() -> int:
    args = parse_args()
    var_dir = Path(os.environ.get("TMPDIR", "/tmp")) / "oms-bench-list"
    say(f"== Preparing {urlsplit(args.database_url).path.lstrip('/')} with {args.orders:,} orders")
    if args.reuse and seeded_orders(args.database_url) == args.orders:
        say("  reusing the orders a previous run seeded")
        setup_django(args.database_url, var_dir)
    else:
        recreate_database(args.database_url)
        setup_django(args.database_url, var_dir)
        seed(args)
    say(f"\n== Timing each search {args.repeat} times (after one warm-up), in-process, with the first page's plan")
    rows = []
    for name, call in scenarios(args):
        median, p90 = timed(call, args.repeat)
        rows.append((name, median, p90))
        say(f"  {name:<46} median {median:7.1f} ms   p90 {p90:7.1f} ms")
        say(f"      scans: {plan_of(call)}")
    say("\n== Summary")
    say(f"{'search':<46} {'median ms':>10} {'p90 ms':>8}")
    for name, median, p90 in rows:
        say(f"{name:<46} {median:10.1f} {p90:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
