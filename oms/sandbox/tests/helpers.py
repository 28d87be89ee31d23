"""Test plumbing shared by the sandbox tests (no mocks: real views, real signatures, real database)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.test import Client
from django.utils import timezone

from oms.payments.alipay import AlipayClient

NOTIFY_URL = "http://testserver/merchant/alipay/notify"
RETURN_URL = "http://testserver/merchant/alipay/return"
SUBJECT = "测试商品 – 绿茶 500ml × 2"


def django_transport(url: str, form: Mapping[str, str]) -> tuple[int, str]:
    """The client's transport, routed into the test URLconf: URL-encoded form POST, like urllib_transport."""
    response = Client().post(url, data=urlencode(dict(form)), content_type="application/x-www-form-urlencoded")
    return response.status_code, response.content.decode("utf-8")


class Recorder:
    """A notification ``post`` that answers from a script (the last answer repeats) and records the calls."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers) or ["success"]
        self.calls: list[tuple[str, dict[str, str]]] = []

    def __call__(self, url: str, form: Mapping[str, str]) -> tuple[int, str]:
        self.calls.append((url, dict(form)))
        answer = self.answers[min(len(self.calls), len(self.answers)) - 1]
        return 200, answer


def open_cashier(
    alipay: AlipayClient,
    *,
    out_trade_no: str = "OMS1",
    amount: Decimal = Decimal("100.00"),
    channel: str = "page",
    time_expire: datetime | None = None,
    notify_url: str = NOTIFY_URL,
    return_url: str = RETURN_URL,
):
    """GET the page pay URL as the buyer's browser would; returns the cashier response."""
    url = alipay.page_pay_url(
        out_trade_no=out_trade_no,
        total_amount=amount,
        subject=SUBJECT,
        time_expire=time_expire or timezone.now() + timedelta(minutes=30),
        notify_url=notify_url,
        return_url=return_url,
        channel=channel,  # type: ignore[arg-type]
    )
    return Client().get(url)


def form_fields(html: str, form_id: str) -> tuple[str, dict[str, str]]:
    """(action, hidden fields) of ``<form id=form_id>`` in a page."""
    form = re.search(rf'<form id="{form_id}" method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    assert form, f"no form {form_id}"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)))
    return form.group(1), fields


def submit(html: str, form_id: str):
    action, fields = form_fields(html, form_id)
    return Client().post(action, fields)


def query_params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
