"""Shipping speaks the reader's language: API errors (same code in both), shipment statuses and the simulated
carrier's tracking descriptions, which it writes in the shop's language like a real carrier in China."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from oms.orders.states import state_in_message
from oms.shipping.carriers.sim import sim_timeline
from oms.shipping.models import ShipmentStatus
from oms.shipping.tests.factories import confirmed_order, shipped_order
from oms.web_vendor.templatetags.oms_web import carrier_label, status_label

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_a_tracking_number_already_used_is_refused_in_the_readers_language(customer, staff, staff_client, address):
    shipped, _parcel = shipped_order(customer=customer, staff=staff, address=address)
    taken = shipped.shipments.get().tracking_no
    waiting = confirmed_order(customer=customer, staff=staff, address=address).shipments.get()

    answers = {}
    for language in ("en", "zh-CN"):
        response = staff_client.post(
            f"/api/v1/shipments/{waiting.pk}/ship/",
            {"carrier": "sim", "tracking_no": taken},
            format="json",
            headers={"accept-language": language},
        )
        answers[language] = (response.status_code, response.json())

    (en_status, en), (zh_status, zh) = answers["en"], answers["zh-CN"]
    assert (en_status, en["code"]) == (zh_status, zh["code"]) == (409, "conflict")
    assert en["message"] == f"Tracking number {taken} of sim is already on another shipment."
    assert zh["message"] == f"sim 的快递单号 {taken} 已用于另一个包裹。"


def test_shipping_a_parcel_of_an_unconfirmed_order_names_the_status_label_in_chinese(customer, staff, address):
    from oms.orders.errors import InvalidTransition
    from oms.shipping.allowed import why_not_ship

    order = confirmed_order(customer=customer, staff=staff, address=address)
    parcel = order.shipments.get()
    order.status = "paid"  # as seen by a page that read it before it was confirmed
    with translation.override("zh-hans"):
        refused = why_not_ship(shipment=parcel, order=order)
        paid = state_in_message("paid")  # the orders catalog's word for it
    assert isinstance(refused, InvalidTransition)
    assert refused.message == f"订单 {order.order_no} 当前状态为“{paid}”：只有待发货的订单才能发货。"
    assert paid != "paid"


def test_shipment_statuses_and_their_event_labels_in_chinese(customer, staff, address):
    _order, parcel = shipped_order(customer=customer, staff=staff, address=address)
    with translation.override("zh-hans"):
        assert [str(s.label) for s in ShipmentStatus] == [
            "待出库（仍在仓库）",
            "快递已揽收",
            "运输中",
            "派送中",
            "已签收",
            "异常（丢失、损坏或无法投递）",
            "已退回寄件人",
        ]
        assert [status_label(e.to_status, "shipment") for e in parcel.events.all()] == ["快递已揽收"]
        assert carrier_label("sim") == "模拟快递"


def test_the_simulated_carrier_writes_in_the_shops_language(settings, customer, staff, address):
    _order, parcel = shipped_order(customer=customer, staff=staff, address=address)
    parcel.shipped_at = timezone.now() - timedelta(hours=1)

    english = [(e.location, e.description) for e in sim_timeline(parcel)]
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("en"):  # whoever reads it: the carrier writes in the shop's language
        chinese = [(e.location, e.description) for e in sim_timeline(parcel)]

    assert english[0][1] == f"Picked up from warehouse {parcel.warehouse.code}"
    assert english[1] == (f"{parcel.warehouse.region} sorting centre", "Departed the sorting centre")
    assert chinese[0][1] == f"已从仓库 {parcel.warehouse.code} 揽收"
    assert chinese[1] == (f"{parcel.warehouse.region}分拣中心", "已离开分拣中心")
    assert all(HAN.search(description) for _location, description in chinese)


def test_the_timeline_is_written_in_the_language_of_the_request(customer, staff, staff_client, address):
    """As for orders: a timeline line is written once, in the language of the person whose request wrote it."""
    order = confirmed_order(customer=customer, staff=staff, address=address)
    english = confirmed_order(customer=customer, staff=staff, address=address)
    for parcel, language in ((order.shipments.get(), "zh-CN"), (english.shipments.get(), "en")):
        response = staff_client.post(
            f"/api/v1/shipments/{parcel.pk}/ship/",
            {"carrier": "sim", "tracking_no": f"SIM-{parcel.pk}"},
            format="json",
            headers={"accept-language": language},
        )
        assert response.status_code == 200, response.content

    chinese = order.events.last()
    parcel = order.shipments.get()
    assert chinese.reason == f"已发货：包裹 {parcel.pk}，发货仓库 {parcel.warehouse.code}（sim SIM-{parcel.pk}）"
    assert parcel.events.get().reason == f"已从 {parcel.warehouse.code} 出库，sim SIM-{parcel.pk}"
    other = english.shipments.get()
    assert english.events.last().reason == (
        f"Shipped: shipment {other.pk} from {other.warehouse.code} (sim SIM-{other.pk})"
    )
