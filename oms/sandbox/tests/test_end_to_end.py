"""Our Alipay client against the sandbox, end to end: cashier, pay, return, notify, query, close, refund."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone

from oms.sandbox.models import SandboxNotification, SandboxTrade
from oms.sandbox.notifications import deliver_due_notifications
from oms.sandbox.tests.helpers import (
    RETURN_URL,
    SUBJECT,
    Recorder,
    django_transport,
    open_cashier,
    query_params,
    submit,
)

pytestmark = pytest.mark.django_db


def pay(alipay, django_capture_on_commit_callbacks, **kwargs):
    cashier = open_cashier(alipay, **kwargs)
    assert cashier.status_code == 200
    with django_capture_on_commit_callbacks() as callbacks:
        response = submit(cashier.content.decode(), "pay")
    return response, callbacks


def test_page_pay_return_notify_and_query(alipay, django_capture_on_commit_callbacks):
    cashier = open_cashier(alipay, amount=Decimal("88.80"))
    html = cashier.content.decode()
    assert cashier.status_code == 200
    assert '<form id="pay"' in html and '<form id="cancel"' in html
    assert SUBJECT in html and "88.80" in html

    with django_capture_on_commit_callbacks() as callbacks:
        response = submit(html, "pay")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(RETURN_URL + "?")
    returned = query_params(location)
    assert alipay.verify_notification(returned)
    assert returned["method"] == "alipay.trade.page.pay.return"
    assert returned["total_amount"] == "88.80" and returned["seller_id"] == alipay.config.seller_id
    assert "trade_status" not in returned
    assert not alipay.verify_notification({**returned, "total_amount": "0.01"})

    assert len(callbacks) == 1  # the first delivery attempt, made after commit
    notification = SandboxNotification.objects.get()
    params = notification.params
    assert alipay.verify_notification(params)
    assert params["trade_status"] == "TRADE_SUCCESS" and params["notify_type"] == "trade_status_sync"
    assert params["out_trade_no"] == "OMS1" and params["trade_no"] == returned["trade_no"]
    assert params["subject"] == SUBJECT and params["buyer_pay_amount"] == "88.80"
    assert {"gmt_create", "gmt_payment", "notify_id", "buyer_id", "seller_email"} <= params.keys()

    assert deliver_due_notifications(post=django_transport) == 1  # the test merchant verifies, says success
    notification.refresh_from_db()
    assert notification.delivered_at is not None and notification.attempts == 1
    assert notification.last_response == "HTTP 200: success"

    answer = alipay.trade_query(out_trade_no="OMS1")
    assert answer["code"] == "10000" and answer["msg"] == "Success"
    assert answer["trade_status"] == "TRADE_SUCCESS"
    assert answer["trade_no"] == returned["trade_no"] and answer["total_amount"] == "88.80"
    assert answer["buyer_pay_amount"] == "88.80"

    closed = alipay.trade_close(out_trade_no="OMS1")
    assert (closed["code"], closed["sub_code"]) == ("40004", "ACQ.TRADE_STATUS_ERROR")
    assert closed["msg"] == "Business Failed"


def test_trade_numbers_look_like_alipays(alipay):
    open_cashier(alipay)
    trade_no = SandboxTrade.objects.get().trade_no
    assert len(trade_no) == 28 and trade_no.isdigit() and trade_no[8:15] == "2200140"


def test_wap_channel(alipay, django_capture_on_commit_callbacks):
    response, _ = pay(alipay, django_capture_on_commit_callbacks, channel="wap")
    assert query_params(response["Location"])["method"] == "alipay.trade.wap.pay.return"
    assert SandboxTrade.objects.get().product_code == "QUICK_WAP_WAY"


def test_unknown_trade(alipay):
    for answer in (alipay.trade_query(out_trade_no="NOPE"), alipay.trade_close(out_trade_no="NOPE")):
        assert (answer["code"], answer["sub_code"]) == ("40004", "ACQ.TRADE_NOT_EXIST")


def test_close_unpaid_then_cannot_pay(alipay):
    html = open_cashier(alipay).content.decode()
    assert alipay.trade_close(out_trade_no="OMS1")["code"] == "10000"
    assert alipay.trade_query(out_trade_no="OMS1")["trade_status"] == "TRADE_CLOSED"
    refused = submit(html, "pay")
    assert refused.status_code == 409 and "ACQ.TRADE_HAS_CLOSE" in refused.content.decode()
    assert alipay.trade_close(out_trade_no="OMS1")["sub_code"] == "ACQ.TRADE_STATUS_ERROR"
    assert open_cashier(alipay).status_code == 409  # no cashier for a closed trade


def test_expired_trade_is_closed_and_cannot_be_paid(alipay):
    response = open_cashier(alipay, time_expire=timezone.now() - timedelta(seconds=1))
    assert response.status_code == 409 and '<form id="pay"' not in response.content.decode()
    assert alipay.trade_query(out_trade_no="OMS1")["trade_status"] == "TRADE_CLOSED"


def test_same_out_trade_no_reuses_the_trade_but_not_another_amount(alipay):
    open_cashier(alipay)
    assert open_cashier(alipay).status_code == 200
    assert SandboxTrade.objects.count() == 1
    refused = open_cashier(alipay, amount=Decimal("1.00"))
    assert refused.status_code == 409 and "ACQ.CONTEXT_INCONSISTENT" in refused.content.decode()


def _sends_back_to_the_merchant(alipay, page) -> None:
    """An "already paid" page: no Pay button, and the signed return link (followed by itself) to the merchant."""
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "Already paid" in html and '<form id="pay"' not in html and "Payment refused" not in html
    back = re.search(r'<a href="([^"]+)">Back to the shop', html)
    assert back, html
    url = unescape(back.group(1))
    assert url.startswith(RETURN_URL + "?") and alipay.verify_notification(query_params(url))
    assert f'<meta http-equiv="refresh" content="3;url={back.group(1)}">' in html


def test_second_pay_click_sends_the_buyer_back_and_pays_once(alipay, django_capture_on_commit_callbacks):
    cashier = open_cashier(alipay)
    with django_capture_on_commit_callbacks():
        assert submit(cashier.content.decode(), "pay").status_code == 302
        again = submit(cashier.content.decode(), "pay")
    _sends_back_to_the_merchant(alipay, again)
    assert SandboxNotification.objects.count() == 1
    assert SandboxTrade.objects.get().status == "TRADE_SUCCESS"


def test_back_button_after_paying_shows_already_paid_not_the_cashier(alipay, django_capture_on_commit_callbacks):
    cashier = open_cashier(alipay)
    assert cashier["Cache-Control"] == "no-store"  # the back button asks the gateway again
    with django_capture_on_commit_callbacks():
        assert submit(cashier.content.decode(), "pay").status_code == 302
    _sends_back_to_the_merchant(alipay, open_cashier(alipay))
    assert SandboxNotification.objects.count() == 1


def test_already_paid_without_a_return_url_just_says_so(alipay, django_capture_on_commit_callbacks):
    cashier = open_cashier(alipay, return_url="")
    with django_capture_on_commit_callbacks():
        submit(cashier.content.decode(), "pay")
    page = open_cashier(alipay, return_url="")
    html = page.content.decode()
    assert page.status_code == 200 and "Already paid" in html
    assert '<form id="pay"' not in html and "Back to the shop" not in html and "http-equiv" not in html


def test_cancel_leaves_the_trade_payable(alipay, django_capture_on_commit_callbacks):
    html = open_cashier(alipay).content.decode()
    cancelled = submit(html, "cancel")
    assert cancelled.status_code == 200 and RETURN_URL in cancelled.content.decode()
    trade = SandboxTrade.objects.get()
    assert trade.status == "WAIT_BUYER_PAY" and trade.abandoned_at is not None
    unpaid = alipay.trade_query(out_trade_no="OMS1")
    assert (unpaid["trade_status"], unpaid["buyer_pay_amount"]) == ("WAIT_BUYER_PAY", "0.00")
    assert "send_pay_date" not in unpaid
    with django_capture_on_commit_callbacks():
        assert submit(html, "pay").status_code == 302


def test_urls_with_their_own_query_are_refused(alipay):
    refused = open_cashier(alipay, return_url=RETURN_URL + "?from=sandbox")
    assert refused.status_code == 400 and "isv.invalid-parameter" in refused.content.decode()
    assert not SandboxTrade.objects.exists()


def test_pay_without_return_or_notify_url(alipay, django_capture_on_commit_callbacks):
    response, callbacks = pay(alipay, django_capture_on_commit_callbacks, notify_url="", return_url="")
    assert response.status_code == 200 and "TRADE_SUCCESS" in response.content.decode()
    assert callbacks == [] and not SandboxNotification.objects.exists()


def test_refunds_are_idempotent_bounded_and_notified(alipay, django_capture_on_commit_callbacks):
    pay(alipay, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks() as callbacks:
        first = alipay.trade_refund(out_trade_no="OMS1", refund_amount=Decimal("30.00"), out_request_no="R1")
    assert (first["code"], first["fund_change"], first["refund_fee"]) == ("10000", "Y", "30.00")
    assert len(callbacks) == 1
    repeat = alipay.trade_refund(out_trade_no="OMS1", refund_amount=Decimal("30.00"), out_request_no="R1")
    assert (repeat["code"], repeat["fund_change"], repeat["refund_fee"]) == ("10000", "N", "30.00")

    over = alipay.trade_refund(out_trade_no="OMS1", refund_amount=Decimal("70.01"), out_request_no="R2")
    assert (over["code"], over["sub_code"]) == ("40004", "ACQ.REASON_TRADE_REFUND_FEE_ERR")

    rest = alipay.trade_refund(
        out_trade_no="OMS1", refund_amount=Decimal("70.00"), out_request_no="R3", refund_reason="缺货"
    )
    assert (rest["fund_change"], rest["refund_fee"]) == ("Y", "100.00")
    assert alipay.trade_query(out_trade_no="OMS1")["trade_status"] == "TRADE_CLOSED"

    found = alipay.refund_query(out_trade_no="OMS1", out_request_no="R3")
    assert (found["refund_amount"], found["refund_status"], found["refund_reason"]) == (
        "70.00",
        "REFUND_SUCCESS",
        "缺货",
    )
    unknown = alipay.refund_query(out_trade_no="OMS1", out_request_no="R2")
    assert unknown["code"] == "10000" and "refund_amount" not in unknown and "refund_status" not in unknown

    partial, full = (n.params for n in SandboxNotification.objects.order_by("pk")[1:])
    for params, status, fee, biz_no in [
        (partial, "TRADE_SUCCESS", "30.00", "R1"),
        (full, "TRADE_CLOSED", "100.00", "R3"),
    ]:
        assert alipay.verify_notification(params)
        assert (params["trade_status"], params["refund_fee"], params["out_biz_no"]) == (status, fee, biz_no)
        assert "gmt_refund" in params
    assert "gmt_close" in full and "gmt_close" not in partial
    recorder = Recorder("success")
    assert deliver_due_notifications(post=recorder) == 3
    assert [form["notify_id"] for _, form in recorder.calls] == [
        n.params["notify_id"] for n in SandboxNotification.objects.order_by("pk")
    ]


def test_refund_of_unpaid_trade_is_refused(alipay):
    open_cashier(alipay)
    answer = alipay.trade_refund(out_trade_no="OMS1", refund_amount=Decimal("1.00"), out_request_no="R1")
    assert (answer["code"], answer["sub_code"]) == ("40004", "ACQ.TRADE_STATUS_ERROR")
    missing = alipay.trade_refund(out_trade_no="NOPE", refund_amount=Decimal("1.00"), out_request_no="R1")
    assert missing["sub_code"] == "ACQ.TRADE_NOT_EXIST"
