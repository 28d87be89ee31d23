#!/usr/bin/env python
"""Order placement under load: the full app (gunicorn workers on PostgreSQL) against its raw-SQL ceiling.

Scenarios: (a) 3-line orders over 10,000 SKUs with ample stock; (b) one hot SKU everyone buys until it is sold
out. wrk drives each (bench/place_orders.lua: a fresh Idempotency-Key per request), then the database is
checked: stock, stock movements, allocations and orders must agree exactly, and nothing may be oversold. The
same run measures the ceiling of the same SQL with pgbench (bench/pgbench_a.sql, bench/pgbench_b.sql) and
prints app/ceiling.

Run from the repository root with the project's virtualenv active: ``python bench/place_orders.py``.
Exits 1 when a consistency check fails; missing the throughput target is reported but is not a failure.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
LUA_SCRIPT = BENCH_DIR / "place_orders.lua"

SKU_PATTERN = "BENCH-%05d"  # also used by the Lua script, which gets it as an argument
HOT_SKU = "HOT-0001"
CEILING_HOT_SKU = "PGBENCH-HOT"  # the pgbench (b) row: never the app's hot row, so its stock stays checkable
SPREAD_STOCK = 1_000_000
PROBE_HOT_UNITS = 10  # the hot SKU's stock until scenario (b) sets it
CEILING_HOT_STOCK = 100_000_000
ORDERS_PATH = "/api/v1/orders/"
ADDRESS = {
    "name": "Bench Buyer",
    "phone": "13800000000",
    "province": "Shanghai",
    "city": "Shanghai",
    "district": "Pudong",
    "address": "1 Century Avenue",
    "postal_code": "200120",
}


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    lua_mode: str
    lines: int
    pgbench_script: Path
    target: float


SCENARIOS = {
    "a": Scenario("a", "(a) 3 lines, 10,000 SKUs", "spread", 3, BENCH_DIR / "pgbench_a.sql", 0.10),
    "b": Scenario("b", "(b) one hot SKU", "hot", 1, BENCH_DIR / "pgbench_b.sql", 0.08),
}


@dataclass
class Seed:
    warehouse_id: int
    stock_lo: int
    stock_hi: int
    sku_offset: int
    hot_stock_id: int
    hot_sku_id: int
    ceiling_hot_stock_id: int
    customer_lo: int
    customer_hi: int
    tokens: list[str]


@dataclass
class WrkResult:
    sent: int
    status_201: int
    status_409: int
    status_other: int
    responses: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]
    other_statuses: Counter
    other_sample: str
    order_nos: list[str]
    raw: str

    @property
    def requests_per_second(self) -> float:
        return self.responses / self.seconds


@dataclass
class Result:
    scenario: Scenario
    wrk: WrkResult | None = None
    orders_per_second: float = 0.0
    rate_note: str = ""
    ceiling_tps: float | None = None
    usage: Usage | None = None
    ceiling_usage: Usage | None = None
    hot_on_hand: int = 0
    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        return self.orders_per_second / self.ceiling_tps if self.ceiling_tps else None


@dataclass
class Usage:
    """CPU seconds used during a run, by whom, and PostgreSQL transactions in the benchmark database."""

    seconds: float = 0.0
    machine: float = 0.0
    app: float = 0.0
    database: float = 0.0
    load_generator: float = 0.0
    transactions: int = 0

    @property
    def others(self) -> float:
        return max(0.0, self.machine - self.app - self.database - self.load_generator)

    def describe(self, per: int, what: str) -> str:
        if not per or not self.seconds:
            return "no CPU figures"
        ms = 1000 / per
        return (
            f"CPU per {what}: app {self.app * ms:.1f} ms, PostgreSQL backends {self.database * ms:.1f} ms, "
            f"wrk {self.load_generator * ms:.2f} ms; "
            f"{self.transactions / per:.1f} PostgreSQL transactions per {what}; "
            f"machine busy {self.machine / self.seconds:.2f} cores, of which other processes "
            f"{self.others / self.seconds:.2f} cores"
        )


# --- Command line, environment ------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=15, help="length of each measured wrk and pgbench run")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of scenario (a) traffic before measuring")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/oms_bench"),
        help="PostgreSQL database to DROP and recreate (its name must contain 'bench')",
    )
    parser.add_argument("--skus", type=int, default=10_000, help="SKUs of scenario (a)")
    parser.add_argument(
        "--hot-stock",
        type=int,
        default=0,
        help="units of the hot SKU in (b); default: half what (a) sold in a run as long, so it sells out midway",
    )
    parser.add_argument("--customers", type=int, default=50, help="customers (API tokens) placing the orders")
    parser.add_argument("--history", type=int, default=20_000, help="completed orders seeded before the runs")
    parser.add_argument("--pgbench-clients", type=int, default=8)
    parser.add_argument(
        "--quiet-wait",
        type=int,
        default=60,
        help="before each measured run, wait up to this many seconds for other processes to leave the CPU",
    )
    parser.add_argument("--only", choices=sorted(SCENARIOS), help="run one scenario")
    parser.add_argument("--skip-ceiling", action="store_true", help="do not run pgbench")
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of one order placement")
    parser.add_argument(
        "--py-spy",
        metavar="DIR",
        help="record all workers with py-spy during each scenario into DIR (slows the app while sampling)",
    )
    args = parser.parse_args()
    if args.skus < 300:
        parser.error("--skus must be at least 300 (the pgbench script spreads three ids over 200 rows)")
    if "bench" not in urlsplit(args.database_url).path:
        parser.error("refusing to drop a database whose name does not contain 'bench'")
    return args


def oms_command() -> list[str]:
    beside_python = Path(sys.executable).with_name("oms")
    if beside_python.exists():
        return [str(beside_python)]
    found = shutil.which("oms")
    return [found] if found else [sys.executable, "-m", "oms.cli"]


def app_environment(database_url: str, work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DEBUG", None)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SETTINGS_MODULE="oms.settings",
        OMS_VAR_DIR=str(work / "var"),
    )
    return env


def require_tools(args: argparse.Namespace) -> None:
    missing = [tool for tool in ("wrk", "pgbench") if not shutil.which(tool)]
    if args.skip_ceiling and "pgbench" in missing:
        missing.remove("pgbench")
    if args.py_spy and not py_spy_path():
        missing.append("py-spy (pip install py-spy)")
    if missing:
        sys.exit(f"missing tools: {', '.join(missing)} (Debian: apt-get install wrk postgresql-contrib)")


def py_spy_path() -> str | None:
    return shutil.which("py-spy", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")


def say(message: str) -> None:
    print(message, flush=True)


# --- Database: create, migrate, seed ------------------------------------------------------------------------


def admin_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path="/postgres"))


def recreate_database(database_url: str) -> None:
    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(admin_url(database_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def run_oms(arguments: list[str], env: dict[str, str]) -> None:
    subprocess.run([*oms_command(), *arguments], cwd=REPO_ROOT, env=env, check=True)


def setup_django(env: dict[str, str]) -> None:
    # WhiteNoise warns when the static directory is missing.
    Path(env["OMS_VAR_DIR"], "static").mkdir(parents=True, exist_ok=True)
    for name in ("DATABASE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "OMS_VAR_DIR"):
        os.environ[name] = env[name]
    os.environ.pop("DEBUG", None)
    sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()


def seed_database(args: argparse.Namespace) -> Seed:
    """Bulk-insert the warehouse, SKUs, stock (with their receipt movements), customers and tokens."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from oms.catalog.models import Product, Sku
    from oms.inventory.ledger import open_stock
    from oms.inventory.models import Warehouse

    rng = random.Random(2024)
    with transaction.atomic():
        warehouse = Warehouse.objects.create(code="BENCH", name="Bench warehouse", priority=1, region="Shanghai")
        product = Product.objects.create(name="Bench product")
        skus = [
            Sku(
                product=product,
                code=SKU_PATTERN % n,
                name=f"Bench item {n}",
                price=Decimal(rng.randrange(100, 20000)) / 100,
            )
            for n in range(1, args.skus + 1)
        ]
        hot = Sku(product=product, code=HOT_SKU, name="Hot item", price=Decimal("59.00"))
        ceiling_hot = Sku(product=product, code=CEILING_HOT_SKU, name="pgbench hot row", price=Decimal("1.00"))
        Sku.objects.bulk_create([*skus, hot, ceiling_hot], batch_size=2000)
        units = {sku.pk: SPREAD_STOCK for sku in skus} | {
            hot.pk: PROBE_HOT_UNITS,
            ceiling_hot.pk: CEILING_HOT_STOCK,
        }
        stocks = open_stock(
            units={(sku_id, warehouse.pk): on_hand for sku_id, on_hand in units.items()}, actor=None, note="bench"
        )
        users = get_user_model().objects.bulk_create(
            [
                get_user_model()(username=f"bench-customer-{n:03d}", password="!" + secrets.token_hex(8))
                for n in range(args.customers)
            ]
        )
        tokens = Token.objects.bulk_create([Token(key=Token.generate_key(), user=user) for user in users])
        seed_order_history(args.history, customer_lo=min(u.pk for u in users), customers=len(users), sku=skus[0])
    spread = stocks[: args.skus]
    seed = Seed(
        warehouse_id=warehouse.pk,
        stock_lo=spread[0].pk,
        stock_hi=spread[-1].pk,
        sku_offset=spread[0].sku_id - spread[0].pk,
        hot_stock_id=stocks[args.skus].pk,
        hot_sku_id=hot.pk,
        ceiling_hot_stock_id=stocks[args.skus + 1].pk,
        customer_lo=min(user.pk for user in users),
        customer_hi=max(user.pk for user in users),
        tokens=[token.key for token in tokens],
    )
    contiguous = all(s.pk == seed.stock_lo + i and s.sku_id == s.pk + seed.sku_offset for i, s in enumerate(spread))
    if not contiguous or seed.customer_hi - seed.customer_lo + 1 != len(users):
        sys.exit("seeded ids are not contiguous; the pgbench scripts rely on that (is the database fresh?)")
    return seed


def seed_order_history(count: int, *, customer_lo: int, customers: int, sku) -> None:
    """Completed orders of the past, each with one line and one event, so the run starts on a shop with history.

    On an empty orders table PostgreSQL plans the foreign-key checks of a new connection (cached for the
    connection's life) as sequential scans, which get slower with every order placed; a server started on a
    real shop's tables never sees that.
    """
    from django.db import connection

    if not count:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO orders_order (order_no, status, currency, subtotal, shipping_fee, total_amount,"
            " shipping_address, request_fingerprint, payment_method, created_at, expires_at, paid_at, updated_at,"
            " customer_id)"
            " SELECT 'H' || lpad(g::text, 19, '0'), 'completed', 'CNY', %s, 0, %s, '{}'::jsonb, '', '',"
            " now() - interval '30 days', now() - interval '30 days', now() - interval '30 days', now(),"
            " %s + g %% %s FROM generate_series(1, %s) g",
            [sku.price, sku.price, customer_lo, customers, count],
        )
        cursor.execute(
            "INSERT INTO orders_orderitem (order_id, sku_id, sku_code, name, unit_price, quantity, line_total)"
            " SELECT id, %s, %s, %s, subtotal, 1, subtotal FROM orders_order",
            [sku.pk, sku.code, sku.name],
        )
        cursor.execute(
            "INSERT INTO orders_orderevent (order_id, from_status, to_status, reason, created_at)"
            " SELECT id, 'shipped', 'completed', 'Delivered', created_at FROM orders_order"
        )


def probe_queries(seed: Seed, show: bool) -> dict[str, int]:
    """Place one order per scenario in-process (Django test client) and count its SQL statements.

    The first request of a token fills the token cache: each shape is sent twice and the second one counted.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    shapes = {
        "a": [{"sku": SKU_PATTERN % n, "quantity": 1} for n in (1, 2, 3)],
        "b": [{"sku": HOT_SKU, "quantity": 1}],
    }
    counts = {}
    for key, items in shapes.items():
        for attempt in range(2):
            with CaptureQueriesContext(connection) as queries:
                response = client.post(
                    ORDERS_PATH,
                    json.dumps({"items": items, "shipping_address": ADDRESS}),
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Token {seed.tokens[0]}",
                    HTTP_IDEMPOTENCY_KEY=f"probe-{key}-{attempt}",
                )
            if response.status_code != 201:
                sys.exit(f"probe order ({key}) answered {response.status_code}: {response.content[:300]!r}")
        counts[key] = len(queries)
        say(f"  one order of scenario ({key}) runs {len(queries)} SQL statements (token already cached)")
        if show:
            for query in queries.captured_queries:
                say(f"      {query['time']}s  {query['sql'][:150]}")
    connection.close()
    return counts


# --- The server and wrk -------------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    url: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(args: argparse.Namespace, env: dict[str, str], work: Path):
    port = free_port()
    log_path = work / "server.log"
    command = ["serve", "--port", str(port), "--workers", str(args.workers), *serve_options(env)]
    say(f"  starting: oms {' '.join(command)} (log: {log_path})")
    command = [*oms_command(), *command]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        wait_until_answering(server, log_path)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve_options(env: dict[str, str]) -> list[str]:
    """Measure the web workers alone: no background job runner (periodic jobs would take CPU at random)."""
    usage = subprocess.run([*oms_command(), "serve", "--help"], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    return ["--jobs", "off"] if "--jobs" in usage.stdout else []


def wait_until_answering(server: Server, log_path: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            sys.exit(f"the server exited ({server.process.returncode}):\n{log_path.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(server.url + ORDERS_PATH, timeout=5)
            return
        except urllib.error.HTTPError:
            return  # 401 without a token: the app is answering
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    sys.exit(f"the server did not answer within {timeout:.0f} s:\n{log_path.read_text()[-3000:]}")


def run_wrk(args: argparse.Namespace, server: Server, work: Path, mode: str, seconds: int, tag: str) -> WrkResult:
    out_dir = work / f"wrk-{tag}"
    out_dir.mkdir()
    command = [
        "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "10s", "--latency",
        "-s", str(LUA_SCRIPT), server.url + ORDERS_PATH,
        "--", mode, str(work / "tokens.txt"), SKU_PATTERN, str(args.skus), HOT_SKU, str(out_dir), tag,
    ]  # fmt: skip
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    (work / f"wrk-{tag}.txt").write_text(finished.stdout + finished.stderr)
    if finished.returncode != 0 or "BENCH " not in finished.stdout:
        log = work / "server.log"
        state = "running" if server.process.poll() is None else f"exited ({server.process.returncode})"
        sys.exit(
            f"wrk failed ({finished.returncode}):\n{finished.stdout}\n{finished.stderr}\n"
            f"the server is {state}; the end of {log}:\n{log.read_text()[-3000:]}"
        )
    order_nos = [line for path in sorted(out_dir.glob("orders-*.txt")) for line in path.read_text().split()]
    return parse_wrk(finished.stdout, order_nos)


def parse_wrk(output: str, order_nos: list[str]) -> WrkResult:
    fields = dict(pair.split("=", 1) for pair in re.search(r"^BENCH (.*)$", output, re.M).group(1).split())
    numbers = {name: int(float(value)) for name, value in fields.items()}
    statuses = re.search(r"^BENCH_OTHER_STATUSES ?(.*)$", output, re.M).group(1).split()
    sample = re.search(r"^BENCH_OTHER_SAMPLE ?(.*)$", output, re.M).group(1)
    return WrkResult(
        sent=numbers["sent"],
        status_201=numbers["status_201"],
        status_409=numbers["status_409"],
        status_other=numbers["status_other"],
        responses=numbers["responses"],
        seconds=numbers["duration_us"] / 1e6,
        p50_ms=numbers["p50_us"] / 1000,
        p90_ms=numbers["p90_us"] / 1000,
        p99_ms=numbers["p99_us"] / 1000,
        max_ms=numbers["max_us"] / 1000,
        errors={name[4:]: value for name, value in numbers.items() if name.startswith("err_")},
        other_statuses=Counter(statuses),
        other_sample=sample,
        order_nos=order_nos,
        raw=output,
    )


@contextlib.contextmanager
def py_spy_recording(args: argparse.Namespace, server: Server, name: str, seconds: int):
    """Sample every gunicorn worker while the block runs (only with --py-spy)."""
    if not args.py_spy:
        yield
        return
    out_dir = Path(args.py_spy)
    out_dir.mkdir(parents=True, exist_ok=True)
    py_spy = py_spy_path()
    recorders = []
    for fmt, ext in (("flamegraph", "svg"), ("raw", "txt")):
        command = [
            py_spy, "record", "--pid", str(server.process.pid), "--subprocesses", "--nonblocking",
            "--duration", str(seconds), "--rate", "250", "--format", fmt,
            "--output", str(out_dir / f"{name}.{ext}"),
        ]  # fmt: skip
        recorders.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        yield
    finally:
        for recorder in recorders:
            recorder.wait(timeout=seconds + 60)
        say(f"  py-spy: {out_dir / name}.svg (flame graph), {out_dir / name}.txt (collapsed stacks)")


# --- CPU accounting (Linux /proc; figures stay 0 elsewhere) -------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu(pid: int) -> tuple[int, float]:
    """(start time, CPU seconds) of a process; the start time tells a reused pid apart. (0, 0.0) if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0, 0.0
    return int(fields[19]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # starttime; utime + stime


def cpu_used(before: dict[int, tuple[int, float]]) -> float:
    """CPU seconds the processes of ``before`` used since; processes that ended meanwhile count as 0."""
    total = 0.0
    for pid, (started, cpu) in before.items():
        now_started, now_cpu = process_cpu(pid)
        if now_started == started:
            total += now_cpu - cpu
    return total


def process_tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def machine_cpu() -> float:
    try:
        ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = ticks
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def wait_for_quiet(max_wait: int, idle_below: float = 0.25, quiet_seconds: int = 3) -> None:
    """Wait until the machine has been nearly idle for a few seconds (other work skews a small box).

    Warns when ``max_wait`` runs out first; 0 does not wait at all.
    """
    deadline = time.monotonic() + max_wait
    quiet, busy = 0, 0.0
    while quiet < quiet_seconds and time.monotonic() < deadline:
        start = machine_cpu()
        time.sleep(1)
        busy = machine_cpu() - start
        quiet = quiet + 1 if busy < idle_below else 0
    if max_wait > 0 and quiet < quiet_seconds:
        say(f"  WARNING: other processes keep {busy:.2f} cores busy; the figures of this run will be low")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@contextlib.contextmanager
def measuring_usage(conn: psycopg.Connection, app_root: int | None):
    """Yield a Usage, filled in when the block ends.

    Counts CPU of the app's processes, of the database's backends (but ours), of child processes that ended
    (wrk, pgbench) and of the whole machine, and the transactions committed in the database.
    """
    usage = Usage()
    backends_sql = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        " AND backend_type = 'client backend'"
    )
    app = {pid: process_cpu(pid) for pid in process_tree(app_root)} if app_root else {}
    backends = {row[0]: process_cpu(row[0]) for row in conn.execute(backends_sql)}
    transactions_sql = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
    started, machine, children = time.monotonic(), machine_cpu(), children_cpu()
    transactions = scalar(conn, transactions_sql)
    yield usage
    usage.seconds = time.monotonic() - started
    usage.machine = machine_cpu() - machine
    usage.app = cpu_used(app)
    usage.database = cpu_used(backends)
    usage.load_generator = children_cpu() - children
    # Let the requests wrk gave up on finish; backends publish transaction counts at most once a second.
    time.sleep(1.5)
    usage.transactions = scalar(conn, transactions_sql) - transactions


# --- Consistency checks -------------------------------------------------------------------------------------


def scalar(conn: psycopg.Connection, sql: str, params: tuple = ()) -> int:
    return conn.execute(sql, params).fetchone()[0]


def check(result: Result, name: str, ok: bool, detail: str) -> None:
    result.checks.append((name, ok, detail))
    say(f"  {'PASS' if ok else 'FAIL'}  {name}: {detail}")


def check_stock_ledger(conn: psycopg.Connection, result: Result) -> None:
    """Stock rows against their guards, their allocations and their movement history."""
    bad_guards = scalar(conn, "SELECT count(*) FROM inventory_stock WHERE reserved < 0 OR on_hand < reserved")
    check(result, "stock guards", bad_guards == 0, f"{bad_guards} rows with reserved < 0 or on_hand < reserved")
    reserved, allocated = conn.execute(
        "SELECT (SELECT coalesce(sum(reserved), 0) FROM inventory_stock),"
        " (SELECT coalesce(sum(quantity), 0) FROM inventory_allocation WHERE status = 'reserved')"
    ).fetchone()
    check(
        result,
        "reserved = allocations",
        reserved == allocated,
        f"sum(reserved) {reserved}, reserved allocations {allocated}",
    )
    off_allocations = scalar(
        conn,
        "SELECT count(*) FROM inventory_stock s LEFT JOIN (SELECT stock_id, sum(quantity) AS q"
        " FROM inventory_allocation WHERE status = 'reserved' GROUP BY stock_id) a ON a.stock_id = s.id"
        " WHERE s.reserved <> coalesce(a.q, 0)",
    )
    check(result, "reserved = allocations per row", off_allocations == 0, f"{off_allocations} stock rows differ")
    off_history = scalar(
        conn,
        "SELECT count(*) FROM inventory_stock s LEFT JOIN (SELECT stock_id, sum(on_hand_delta) AS on_hand,"
        " sum(reserved_delta) AS reserved FROM inventory_stockmovement GROUP BY stock_id) m"
        " ON m.stock_id = s.id"
        " WHERE s.on_hand <> coalesce(m.on_hand, 0) OR s.reserved <> coalesce(m.reserved, 0)",
    )
    check(
        result,
        "stock = movement history",
        off_history == 0,
        f"{off_history} stock rows differ from their movements",
    )


def check_orders(conn: psycopg.Connection, result: Result, first_id: int) -> None:
    """The run's orders against wrk's answers, and each order against its items, allocations and event."""
    wrk = result.wrk
    created = scalar(conn, "SELECT count(*) FROM orders_order WHERE id >= %s", (first_id,))
    unanswered = wrk.sent - wrk.responses
    late = created - wrk.status_201
    detail = f"{created} orders, {wrk.status_201} answered 201"
    if late:
        detail += f", {late} completed after wrk stopped reading ({unanswered} requests unanswered at stop)"
    check(result, "orders = 201 answers", 0 <= late <= unanswered, detail)
    distinct = len(set(wrk.order_nos))
    found = scalar(
        conn,
        "SELECT count(*) FROM orders_order WHERE id >= %s AND order_no = ANY(%s)",
        (first_id, wrk.order_nos),
    )
    check(
        result,
        "answered orders exist",
        distinct == found == wrk.status_201,
        f"{wrk.status_201} order numbers answered, {distinct} distinct, {found} in the database",
    )
    malformed = scalar(
        conn,
        "SELECT count(*) FROM orders_order o WHERE o.id >= %s AND ("
        " (SELECT count(*) FROM orders_orderitem i WHERE i.order_id = o.id) <> %s"
        " OR (SELECT coalesce(sum(quantity), 0) FROM orders_orderitem i WHERE i.order_id = o.id)"
        "    <> (SELECT coalesce(sum(quantity), 0) FROM inventory_allocation a"
        "        WHERE a.order_id = o.id AND a.status = 'reserved')"
        " OR (SELECT count(*) FROM inventory_stockmovement m WHERE m.order_id = o.id)"
        "    <> (SELECT count(*) FROM inventory_allocation a WHERE a.order_id = o.id)"
        " OR (SELECT count(*) FROM orders_orderevent e WHERE e.order_id = o.id) <> 1"
        " OR o.status <> 'pending_payment')",
        (first_id, result.scenario.lines),
    )
    check(
        result,
        "order contents",
        malformed == 0,
        f"{malformed} orders whose items, allocations, movements or event are off",
    )
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(wrk.other_statuses.items())) or "none"
    errors = {name: n for name, n in wrk.errors.items() if n}
    detail = f"other statuses {statuses}; socket errors {errors or 'none'}"
    if wrk.other_sample:
        detail += f"; first body: {wrk.other_sample[:200]}"
    check(result, "no errors", wrk.status_other == 0 and not errors, detail)


def check_hot_sku(conn: psycopg.Connection, result: Result, seed: Seed) -> None:
    on_hand, reserved = conn.execute(
        "SELECT on_hand, reserved FROM inventory_stock WHERE id = %s", (seed.hot_stock_id,)
    ).fetchone()
    sold = scalar(
        conn,
        "SELECT coalesce(sum(quantity), 0) FROM inventory_allocation WHERE stock_id = %s AND status = 'reserved'",
        (seed.hot_stock_id,),
    )
    check(
        result,
        "zero oversell",
        on_hand == result.hot_on_hand and reserved == sold <= on_hand,
        f"{sold} units reserved of {on_hand} on hand (on hand before the run: {result.hot_on_hand})",
    )
    refused = result.wrk.status_409
    check(
        result,
        "409 only when sold out",
        refused == 0 or reserved == on_hand,
        f"{refused} insufficient_stock answers, {on_hand - reserved} units left at the end",
    )


def stock_hot_sku(seed: Seed, units: int) -> int:
    """Give the hot SKU ``units`` available units through the stock service (movement included); return on_hand."""
    from django.db import connection

    from oms.catalog.models import Sku
    from oms.inventory.models import Stock, Warehouse
    from oms.inventory.services import set_stock_level

    reserved = Stock.objects.get(pk=seed.hot_stock_id).reserved
    stock = set_stock_level(
        sku=Sku.objects.get(pk=seed.hot_sku_id),
        warehouse=Warehouse.objects.get(pk=seed.warehouse_id),
        on_hand=reserved + units,
        actor=None,
        note="bench: hot SKU for scenario (b)",
    )
    connection.close()
    return stock.on_hand


def check_no_refusals(result: Result) -> None:
    refused = result.wrk.status_409
    check(result, "no 409 with ample stock", refused == 0, f"{refused} insufficient_stock answers")


# --- Scenarios ----------------------------------------------------------------------------------------------


def run_app_scenario(args, conn, server, work, seed, scenario: Scenario, hot_units: int = 0) -> Result:
    result = Result(scenario)
    if scenario.key == "b":
        result.hot_on_hand = stock_hot_sku(seed, hot_units)
    conn.execute("CHECKPOINT")
    wait_for_quiet(args.quiet_wait)
    first_id = scalar(conn, "SELECT coalesce(max(id), 0) + 1 FROM orders_order")
    say(f"\n== {scenario.title}: wrk -t{args.threads} -c{args.connections} -d{args.seconds}s")
    if scenario.key == "b":
        say(f"  {HOT_SKU} has {hot_units} units available")
    tag = f"{scenario.key}{int(time.time())}"
    with (
        py_spy_recording(args, server, f"scenario-{scenario.key}", max(1, args.seconds - 2)),
        measuring_usage(conn, server.process.pid) as result.usage,
    ):
        result.wrk = run_wrk(args, server, work, scenario.lua_mode, args.seconds, tag)
    wrk = result.wrk
    result.orders_per_second = wrk.status_201 / wrk.seconds
    result.rate_note = "201s / run time"
    if scenario.key == "b":
        selling_rate(conn, result, first_id)
    say(
        f"  {wrk.responses} answers in {wrk.seconds:.1f} s ({wrk.requests_per_second:.0f} req/s): "
        f"{wrk.status_201} x 201, {wrk.status_409} x 409, {wrk.status_other} other; "
        f"latency p50 {wrk.p50_ms:.1f} ms, p90 {wrk.p90_ms:.1f} ms, p99 {wrk.p99_ms:.1f} ms, "
        f"max {wrk.max_ms:.0f} ms"
    )
    say(f"  orders/s: {result.orders_per_second:.1f} ({result.rate_note})")
    say(f"  {result.usage.describe(wrk.responses, 'request')}")
    check_stock_ledger(conn, result)
    check_orders(conn, result, first_id)
    if scenario.key == "b":
        check_hot_sku(conn, result, seed)
    else:
        check_no_refusals(result)
    return result


def selling_rate(conn: psycopg.Connection, result: Result, first_id: int) -> None:
    """While the hot SKU lasts: orders per second between the run's first and last order (if it sold out)."""
    count, span = conn.execute(
        "SELECT count(*), extract(epoch FROM max(created_at) - min(created_at)) FROM orders_order WHERE id >= %s",
        (first_id,),
    ).fetchone()
    if result.wrk.status_409 and count > 1 and span and float(span) < result.wrk.seconds:
        result.orders_per_second = (count - 1) / float(span)
        result.rate_note = f"{count} orders in the {float(span):.1f} s until sold out"


def complete_ceiling_script(conn: psycopg.Connection, script: Path, work: Path) -> Path:
    """Append the columns the app fills but the script does not name, with the app's values for its first order.

    Django sets no database defaults, so every NOT NULL column added to these tables later would make the
    script fail; copying what the app wrote keeps the ceiling doing the app's inserts.
    """
    text = script.read_text()
    order_id = scalar(conn, "SELECT min(id) FROM orders_order")
    added = []
    for table, key in (("orders_order", "id"), ("orders_orderitem", "order_id"), ("orders_orderevent", "order_id")):
        match = re.search(rf"INSERT INTO {table} \(([^)]*)\)", text)
        if not match:
            continue
        named = {column.strip() for column in re.sub(r"/\*.*?\*/", "", match.group(1)).split(",")}
        required = [
            row[0]
            for row in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND table_name = %s AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'"
                " ORDER BY ordinal_position",
                (table,),
            )
        ]
        extra = [column for column in required if column not in named]
        if not extra:
            continue
        marker = f"/*+{table} columns*/"
        if marker not in text:
            sys.exit(f"{script.name} lacks {marker}, and {table} now requires {', '.join(extra)}")
        query = sql.SQL("SELECT {} FROM {} WHERE {} = %s LIMIT 1").format(
            sql.SQL(", ").join(map(sql.Identifier, extra)), sql.Identifier(table), sql.Identifier(key)
        )
        values = conn.execute(query, (order_id,)).fetchone()
        literals = [sql.Literal(Jsonb(v) if isinstance(v, dict | list) else v).as_string(conn) for v in values]
        text = text.replace(marker, "".join(f", {column}" for column in extra))
        text = text.replace(f"/*+{table} values*/", "".join(f", {literal}" for literal in literals))
        added += [f"{table}.{column}" for column in extra]
    if not added:
        return script
    say(f"  {script.name} + columns the schema gained since it was written: {', '.join(added)}")
    completed = work / script.name
    completed.write_text(text)
    return completed


def run_ceiling(args, conn, seed: Seed, result: Result, work: Path) -> bool:
    """Measure the scenario's raw-SQL ceiling with pgbench; False if pgbench failed."""
    scenario = result.scenario
    say(
        f"\n== ceiling {scenario.title}: pgbench -n -c {args.pgbench_clients} -j 2 -T {args.seconds} "
        f"-f {scenario.pgbench_script.relative_to(REPO_ROOT)}"
    )
    variables = {
        "stock_lo": seed.stock_lo,
        "stock_hi": seed.stock_hi,
        "sku_offset": seed.sku_offset,
        "customer_lo": seed.customer_lo,
        "customer_hi": seed.customer_hi,
        "hot": seed.ceiling_hot_stock_id,
    }
    command = [
        "pgbench", "-n", "-c", str(args.pgbench_clients), "-j", "2", "-T", str(args.seconds),
        "-f", str(complete_ceiling_script(conn, scenario.pgbench_script, work)),
        *[f"-D{name}={value}" for name, value in variables.items()],
        args.database_url,
    ]  # fmt: skip
    reserved_sql = "SELECT coalesce(sum(reserved), 0) FROM inventory_stock WHERE id BETWEEN %s AND %s"
    rows = (seed.stock_lo, seed.stock_hi) if scenario.key == "a" else (seed.ceiling_hot_stock_id,) * 2
    before = scalar(conn, reserved_sql, rows)
    conn.execute("CHECKPOINT")
    wait_for_quiet(args.quiet_wait)
    with measuring_usage(conn, None) as usage:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=args.seconds + 120)
    tps = re.search(r"^tps = ([\d.]+) \(without initial connection time\)", finished.stdout, re.M)
    done = re.search(r"^number of transactions actually processed: (\d+)", finished.stdout, re.M)
    if finished.returncode != 0 or not tps or not done:
        say(f"  ERROR: pgbench failed ({finished.returncode}):\n{finished.stdout}\n{finished.stderr[-3000:]}")
        return False
    updated = scalar(conn, reserved_sql, rows) - before
    expected = int(done.group(1)) * scenario.lines
    if updated != expected:
        say(f"  WARNING: the ceiling reserved {updated} units, not {expected}: some guarded updates matched no row")
    result.ceiling_tps, result.ceiling_usage = float(tps.group(1)), usage
    say(
        f"  {done.group(1)} transactions, {result.ceiling_tps:.0f} tps; "
        f"pgbench used {usage.load_generator:.1f} s CPU; the machine was busy "
        f"{usage.machine / usage.seconds:.2f} cores (PostgreSQL, pgbench and anything else)"
    )
    return True


# --- Report -------------------------------------------------------------------------------------------------


def print_table(results: list[Result], args: argparse.Namespace) -> None:
    say(
        f"\n== Results ({args.seconds} s per run, {args.workers} gunicorn workers, wrk -t{args.threads} "
        f"-c{args.connections}, pgbench -n -c {args.pgbench_clients} -j 2)"
    )
    columns = f"{'scenario':<26} {'orders/s':>8} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'ceiling tps':>11} "
    header = columns + f"{'app/ceiling':>11} {'target':>6}  target met"
    say(header)
    say("-" * len(header))
    for result in results:
        wrk, ratio = result.wrk, result.ratio
        met = "n/a" if ratio is None else "PASS" if ratio >= result.scenario.target else "FAIL (below target)"
        ceiling = f"{result.ceiling_tps:.0f}" if result.ceiling_tps else "skipped"
        say(
            f"{result.scenario.title:<26} {result.orders_per_second:>8.1f} {wrk.requests_per_second:>6.0f} "
            f"{wrk.p50_ms:>7.1f} {wrk.p99_ms:>7.1f} {ceiling:>11} "
            f"{(f'{ratio:.1%}' if ratio is not None else '-'):>11} {result.scenario.target:>6.0%}  {met}"
        )
    say("")
    for result in results:
        say(f"  {result.scenario.title}: orders/s = {result.rate_note}")
        say(f"    {cpu_summary(result)}")


def cpu_summary(result: Result) -> str:
    usage, per = result.usage, result.wrk.responses
    if not (usage and usage.seconds and per):
        return "no CPU figures"
    others = f"{usage.others / usage.seconds:.2f} cores beside the app run"
    ceiling = result.ceiling_usage
    if ceiling and ceiling.seconds:
        others += f"; machine busy {ceiling.machine / ceiling.seconds:.2f} cores in the ceiling run"
    return (
        f"CPU per request: app {usage.app * 1000 / per:.1f} ms "
        f"+ PostgreSQL {usage.database * 1000 / per:.1f} ms; "
        f"{usage.transactions / per:.1f} transactions per request; other processes {others}"
    )


def hot_sku_units(args: argparse.Namespace, results: list[Result]) -> int:
    """--hot-stock, else half of what (a) sold in a run as long: (b) then sells out about midway."""
    if args.hot_stock:
        return args.hot_stock
    spread = [result for result in results if result.scenario.key == "a"]
    return max(200, round(spread[0].orders_per_second * args.seconds / 2)) if spread else 1000


def describe_machine(conn: psycopg.Connection) -> str:
    version = scalar(conn, "SHOW server_version")
    fsync, commit = scalar(conn, "SHOW fsync"), scalar(conn, "SHOW synchronous_commit")
    return f"{os.cpu_count()} CPUs, PostgreSQL {version} (fsync {fsync}, synchronous_commit {commit})"


def main() -> int:
    args = parse_args()
    require_tools(args)
    work = Path(tempfile.mkdtemp(prefix="oms-bench-"))
    env = app_environment(args.database_url, work)
    scenarios = [SCENARIOS[args.only]] if args.only else list(SCENARIOS.values())

    database = urlsplit(args.database_url).path.lstrip("/")
    say(f"== Preparing database {database} (dropped and recreated; scratch files in {work})")
    recreate_database(args.database_url)
    started = time.monotonic()
    run_oms(["migrate", "--no-input", "--verbosity", "0"], env)
    say(f"  migrated in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    setup_django(env)
    seed = seed_database(args)
    (work / "tokens.txt").write_text("\n".join(seed.tokens) + "\n")
    say(
        f"  seeded {args.skus} SKUs with {SPREAD_STOCK} units each, "
        f"hot SKU {HOT_SKU}, "
        f"{args.customers} customers with tokens in {time.monotonic() - started:.1f} s"
    )
    probe_queries(seed, args.show_queries)
    results: list[Result] = []
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        say(f"  {describe_machine(conn)}")
        with running_server(args, env, work) as server:
            if args.warmup:
                say(f"  warming up with {args.warmup} s of scenario (a) traffic")
                run_wrk(args, server, work, "spread", args.warmup, f"warmup{int(time.time())}")
            for scenario in scenarios:
                units = hot_sku_units(args, results)
                results.append(run_app_scenario(args, conn, server, work, seed, scenario, units))
        ceilings_ok = args.skip_ceiling or all([run_ceiling(args, conn, seed, r, work) for r in results])
    print_table(results, args)
    failed = [(result.scenario.key, name) for result in results for name, ok, _ in result.checks if not ok]
    if failed:
        say(f"\nCONSISTENCY FAILED: {', '.join(f'({key}) {name}' for key, name in failed)}")
        return 1
    say(f"\nConsistency: all {sum(len(r.checks) for r in results)} checks passed (zero oversell).")
    if not ceilings_ok:
        say("The ceiling could not be measured: see the pgbench ERROR above.")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
