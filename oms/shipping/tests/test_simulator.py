"""The carrier simulator driving parcels through our real webhook, the polling adapter, and their entry points."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from oms.common.local_server import forget_server, record_server
from oms.orders.states import OrderStatus
from oms.shipping import simulator, tasks
from oms.shipping.carriers import get_carrier
from oms.shipping.inbound import poll_carriers
from oms.shipping.models import ShipmentStatus, TrackingEvent
from oms.shipping.tests.factories import shipped_order
from oms.shipping.tests.helpers import django_post

pytestmark = pytest.mark.django_db
S = ShipmentStatus
STEP = timedelta(seconds=60)


class Recorder:
    """A ``post`` that passes requests on to ``inner`` (or answers ``status``) and remembers them."""

    def __init__(self, inner=None, status: int = 200) -> None:
        self.inner, self.status = inner, status
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, url, body, headers):
        self.calls.append((url, body, headers))
        return self.inner(url, body, headers) if self.inner else (self.status, "down")


def test_the_simulator_moves_a_parcel_to_delivered_through_the_webhook(customer, staff, address):
    order, parcel = shipped_order(customer=customer, staff=staff, address=address)
    start = parcel.shipped_at
    post = Recorder(django_post)

    seen = []
    for at in [start, start + STEP / 2, start + STEP, start + 2 * STEP, start + 3 * STEP, start + 10 * STEP]:
        simulator.advance_sim_parcels(now=at, post=post)
        parcel.refresh_from_db()
        seen.append(parcel.status)

    # One step per pass, and only once its time has come: nothing new half a step in, nothing after delivery.
    assert seen == [S.PICKED_UP, S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.DELIVERED]
    assert len(post.calls) == 4
    assert all(url == "http://testserver/api/v1/carriers/sim/webhook/" for url, _, _ in post.calls)
    events = list(parcel.tracking_events.values_list("status", "carrier_event_id", "applied"))
    tn = parcel.tracking_no
    assert events == [
        ("picked_up", f"sim-{tn}-0", False),  # the carrier's pick-up scan: we already knew
        ("in_transit", f"sim-{tn}-1", True),
        ("out_for_delivery", f"sim-{tn}-2", True),
        ("delivered", f"sim-{tn}-3", True),
    ]
    assert parcel.delivered_at == start + 3 * STEP
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED  # delivered; the customer (or the timer) completes it


def refused(url, body, headers):
    raise ConnectionRefusedError("our server is down")


def test_a_step_our_server_did_not_accept_is_sent_again(customer, staff, address):
    _, parcel = shipped_order(customer=customer, staff=staff, address=address)
    later = parcel.shipped_at + STEP

    assert simulator.advance_sim_parcels(now=later, post=Recorder(status=503)) == 0
    assert simulator.advance_sim_parcels(now=later, post=refused) == 0
    assert not TrackingEvent.objects.exists()

    retry = Recorder(django_post)
    assert simulator.advance_sim_parcels(now=later, post=retry) == 1
    assert TrackingEvent.objects.get().carrier_event_id == f"sim-{parcel.tracking_no}-0"


def test_a_lost_parcel_fails_the_order(customer, staff, address):
    order, parcel = shipped_order(customer=customer, staff=staff, address=address, tracking_prefix="LOST")
    for steps in range(3):
        simulator.advance_sim_parcels(now=parcel.shipped_at + steps * STEP, post=django_post)

    parcel.refresh_from_db()
    order.refresh_from_db()
    assert parcel.status == S.EXCEPTION
    assert order.status == OrderStatus.SHIPMENT_FAILED
    assert "Parcel lost in transit" in order.events.last().reason


def test_polling_the_sim_carrier_records_what_it_knows_once(customer, staff, address, settings):
    settings.OMS_CARRIER_SIM_STEP_SECONDS = 0  # the whole journey is already in the past
    _, parcel = shipped_order(customer=customer, staff=staff, address=address)
    assert not get_carrier("sim").polled  # it pushes: the periodic poll leaves it alone unless asked

    assert poll_carriers() == 0
    assert poll_carriers(carriers=["sim"]) == 4
    assert poll_carriers(carriers=["sim"]) == 0  # delivered: nothing on its way any more

    parcel.refresh_from_db()
    assert parcel.status == S.DELIVERED
    assert TrackingEvent.objects.filter(shipment=parcel).count() == 4


def test_the_command_and_the_task_run_a_pass(customer, staff, address, monkeypatch):
    _, parcel = shipped_order(customer=customer, staff=staff, address=address)
    monkeypatch.setattr(simulator, "urllib_post", django_post)  # the network, routed into the test server
    out = StringIO()

    call_command("carrier_sim", "--once", stdout=out)
    assert "1 tracking event(s) delivered" in out.getvalue()
    assert tasks.run_carrier_simulator() == 0  # the next step is a minute away
    assert tasks.poll_carriers() == 0
    assert tasks.auto_complete_orders() == 0
    assert TrackingEvent.objects.filter(shipment=parcel).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_command_hurries_each_parcel_one_step_to_the_running_servers_address(
    customer, staff, address, live_server, settings, tmp_path
):
    """``oms carrier_sim --once`` against a real server on a port of its own: one step per call, due or not."""
    assert not live_server.url.endswith(":8000")
    settings.OMS_PUBLIC_BASE_URL = ""  # a shell of its own: the address comes from what the server recorded
    settings.VAR_DIR = tmp_path
    record_server(base_url=live_server.url)
    _, parcel = shipped_order(customer=customer, staff=staff, address=address)

    seen = []
    for _ in range(4):  # well inside the first minute: no step after pick-up is due yet
        out = StringIO()
        call_command("carrier_sim", "--once", stdout=out)
        assert f"posting to {live_server.url}/api/v1/carriers/sim/webhook/" in out.getvalue()
        assert "1 tracking event(s) delivered" in out.getvalue()
        parcel.refresh_from_db()
        seen.append(parcel.status)

    assert seen == [S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED]
    times = list(parcel.tracking_events.order_by("pk").values_list("occurred_at", flat=True))
    assert times == sorted(times) and times[-1] <= timezone.now()  # hurried steps happen now, not in the future
    assert parcel.delivered_at == times[-1]
    out = StringIO()
    call_command("carrier_sim", "--once", stdout=out)
    assert "0 tracking event(s) delivered" in out.getvalue()  # delivered: nothing left to hurry


def test_the_simulator_posts_to_the_recorded_server_unless_an_address_is_configured(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.OMS_PUBLIC_BASE_URL = ""
    settings.OMS_PORT = 8000
    assert simulator.webhook_url().startswith("http://127.0.0.1:8000/")  # nothing recorded: PORT, default 8000
    record_server(base_url="http://127.0.0.1:8123")
    assert simulator.webhook_url() == "http://127.0.0.1:8123/api/v1/carriers/sim/webhook/"
    settings.OMS_PUBLIC_BASE_URL = "https://shop.example.com"
    assert simulator.webhook_url() == "https://shop.example.com/api/v1/carriers/sim/webhook/"
    settings.OMS_PUBLIC_BASE_URL = ""
    forget_server()
    settings.OMS_PORT = 8124
    assert simulator.webhook_url().startswith("http://127.0.0.1:8124/")
    # A record left by a server that is gone is not an address.
    (tmp_path / "server.json").write_text('{"base_url": "http://127.0.0.1:8125", "pid": 999999999}')
    assert simulator.webhook_url().startswith("http://127.0.0.1:8124/")
