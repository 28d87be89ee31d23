"""Sandbox trade rules that need a controlled clock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from oms.sandbox import services
from oms.sandbox.errors import SandboxRefusal
from oms.sandbox.keys import DEMO_APP_ID
from oms.sandbox.models import SandboxTrade

pytestmark = pytest.mark.django_db


def request(**overrides) -> services.TradeRequest:
    fields: dict[str, Any] = {
        "app_id": DEMO_APP_ID,
        "out_trade_no": "OMS1",
        "total_amount": Decimal("10.00"),
        "subject": "s",
        "product_code": "FAST_INSTANT_TRADE_PAY",
        "time_expire": None,
        "notify_url": "",
        "return_url": "",
    } | overrides
    return services.TradeRequest(**fields)


def test_paying_after_time_expire_is_refused_and_the_trade_closes():
    now = timezone.now()
    trade = services.open_trade(request=request(time_expire=now + timedelta(minutes=1)), now=now)
    with pytest.raises(SandboxRefusal) as refused:
        services.pay_trade(trade_no=trade.trade_no, now=now + timedelta(minutes=2))
    assert refused.value.sub_code == "ACQ.TRADE_HAS_CLOSE"
    trade.refresh_from_db()
    assert trade.status == SandboxTrade.Status.TRADE_CLOSED and trade.gmt_close == now + timedelta(minutes=1)


def test_paying_just_before_time_expire_works():
    now = timezone.now()
    trade = services.open_trade(request=request(time_expire=now + timedelta(minutes=1)), now=now)
    paid = services.pay_trade(trade_no=trade.trade_no, now=now + timedelta(seconds=59))
    assert paid.status == SandboxTrade.Status.TRADE_SUCCESS


def test_illegal_transition_is_refused():
    trade = services.open_trade(request=request())
    services.close_trade(app_id=DEMO_APP_ID, out_trade_no="OMS1")
    with pytest.raises(SandboxRefusal):
        services.pay_trade(trade_no=trade.trade_no)
    with pytest.raises(SandboxRefusal, match="TRADE_CLOSED"):
        services._move(SandboxTrade.objects.get(), SandboxTrade.Status.TRADE_SUCCESS, timezone.now())
