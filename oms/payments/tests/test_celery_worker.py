"""A real Celery worker, in its own process, runs the payment-timeout job against the test database.

Needs OMS_TEST_BROKER_URL to name a broker (e.g. redis://127.0.0.1:6379/15 or amqp://guest:guest@127.0.0.1:5672//);
scripts/test.sh gives one on PostgreSQL and MariaDB and deselects the test (-m "not worker") on SQLite. The task goes to a queue of its own, so workers of other runs sharing
the broker never take it, and this worker never takes theirs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from oms.accounts.tests.factories import UserFactory
from oms.inventory.tests.factories import stock_sku
from oms.orders.models import Order
from oms.orders.tests.factories import pending_order
from oms.payments.models import Payment
from oms.payments.tests.alipay_helpers import open_cashier, sandbox_trade, start_alipay, stock_levels

BROKER_URL = os.environ.get("OMS_TEST_BROKER_URL", "")
WAIT_SECONDS = 60

pytestmark = [
    pytest.mark.worker,  # skipped, or failed when expected, without OMS_TEST_BROKER_URL (oms/conftest.py)
    pytest.mark.sandbox,
    pytest.mark.django_db(transaction=True),  # the worker sees only committed data
    pytest.mark.usefixtures("sandbox_keys"),
]


def _test_database_url() -> str:
    """DATABASE_URL of the database this test runs on (the test database, not the configured one)."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(name).resolve()}"  # the test database is a file: the worker opens it too
    configured = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(configured._replace(path=f"/{name}"))


def _start_worker(queue: str, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oms.settings",
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        "OMS_DB_CONN_MAX_AGE": "0",  # no connection left open to block dropping the test database
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "oms",
        "worker",
        "--pool",
        "solo",
        "-c",
        "1",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--without-gossip",
        "--without-mingle",
        "--loglevel",
        "INFO",
    ]
    with log_path.open("wb") as log:
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[3])


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=20)


def _delete_queue(app, name: str) -> None:
    """Leave no litter on the broker (a durable queue on RabbitMQ, binding keys on Redis)."""
    from kombu import Exchange, Queue

    with app.connection_for_write(BROKER_URL) as broker:
        queue = Queue(name, Exchange(name), routing_key=name, channel=broker.default_channel)
        queue.declare()  # so that the channel knows the bindings it has to remove
        queue.delete()


def _wait_until_cancelled(orders: list[Order], worker: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        statuses = set(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("status", flat=True))
        if statuses == {"cancelled"}:
            return
        assert worker.poll() is None, f"the worker exited ({worker.returncode}):\n{_tail(log_path)}"
        time.sleep(0.5)
    pytest.fail(f"orders not cancelled within {WAIT_SECONDS}s (statuses {statuses}):\n{_tail(log_path)}")


def _tail(log_path: Path) -> str:
    return log_path.read_text(errors="replace")[-4000:]


def test_worker_expires_overdue_orders(address, tmp_path):
    from oms.celery import app
    from oms.payments.tasks import expire_unpaid_orders

    customer = UserFactory()
    client = APIClient()
    client.force_authenticate(customer)
    sku = stock_sku(on_hand=5, price=Decimal("30.00"))
    plain = pending_order(customer, address, (sku, 1))
    with_trade = pending_order(customer, address, (sku, 2))
    fresh = pending_order(customer, address, (sku, 1))
    # The buyer opened the cashier inside the window and left: the Alipay trade stays open.
    assert open_cashier(start_alipay(client, with_trade.order_no)).status_code == 200
    # Then the window passed (the worker's job runs on the real clock, so the orders are made overdue).
    overdue = timezone.now() - timedelta(minutes=1)
    Order.objects.filter(pk__in=[plain.pk, with_trade.pk]).update(expires_at=overdue)
    assert stock_levels(sku) == (5, 4)

    queue = f"oms-test-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "worker.log"
    worker = _start_worker(queue, log_path)
    try:
        # .delay() with the two options it cannot take: this broker (not the run's own) and a private queue.
        with app.connection_for_write(BROKER_URL) as broker:
            expire_unpaid_orders.apply_async(queue=queue, connection=broker)
        _wait_until_cancelled([plain, with_trade], worker, log_path)
    finally:
        _stop(worker)
        _delete_queue(app, queue)

    fresh.refresh_from_db()
    assert fresh.status == "pending_payment"
    assert stock_levels(sku) == (5, 1)
    assert Payment.objects.get(order=with_trade).status == Payment.Status.CLOSED
    assert sandbox_trade(with_trade.order_no).status == "TRADE_CLOSED"
    assert "succeeded" in _tail(log_path)
