"""The console in Simplified Chinese: a zh-CN browser reads its pages, messages and CSV headers in Chinese, while the
codes (order numbers, SKU codes) stay as they are."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ZH = {"accept-language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def zh_browser(staff) -> Client:
    client = Client(headers=ZH)
    client.force_login(staff)
    return client


def test_dashboard_reads_in_chinese(zh_browser, make_paid):
    make_paid()
    html = zh_browser.get("/console/").content.decode()
    assert '<html lang="zh-hans">' in html
    for text in (
        "<h1>概览</h1>",
        "今日订单",
        "待确认（已付款）",
        "库存不足的 SKU",
        "最近 30 天的销售额和订单",
        "已付款 1",
    ):
        assert text in html, text
    assert "Orders today" not in html and "Waiting for action" not in html


def test_order_page_reads_in_chinese_with_chinese_dates(zh_browser, make_paid):
    order = make_paid()
    html = zh_browser.get(f"/console/orders/{order.order_no}/").content.decode()
    assert f"订单 {order.order_no}" in html
    for text in ("摘要", "收货地址", "商品明细", "付款记录", "订单动态", "确认订单并发货", "取消并退款"):
        assert text in html, text
    assert f"{order.created_at:%Y}年" in html  # DATETIME_FORMAT in Chinese: 2026年12月2日 14:03
    assert "Summary" not in html and "Timeline" not in html


def test_an_action_flashes_its_message_in_chinese(zh_browser, make_paid):
    order = make_paid()
    response = zh_browser.post(
        "/console/orders/bulk/confirm/", {"order_no": [order.order_no], "confirmed": "yes"}, follow=True
    )
    assert "已确认 1 个订单，准备发货。" in response.content.decode()
    ask = zh_browser.post(f"/console/orders/{order.order_no}/cancel/", {"reason": "缺货"})
    html = ask.content.decode()
    assert f"取消订单：订单 {order.order_no}？" in html and "是，继续" in html
    assert "<dt>原因</dt><dd>缺货</dd>" in html  # the summary names the field by its label, not its code


def test_reports_csv_headers_follow_the_language(zh_browser, staff_browser, make_paid):
    make_paid()
    zh = list(csv.reader(io.StringIO(zh_browser.get("/console/reports/?days=7&export=sales").content.decode())))
    assert zh[0] == ["日期", "订单数", "已付款订单数", "销售额", "退款金额", "净额"]
    lead = list(csv.reader(io.StringIO(zh_browser.get("/console/reports/?days=7&export=lead_times").content.decode())))
    assert lead[0] == ["付款到发货用时", "订单数"] and lead[1][0] == "< 4 小时"
    en = list(csv.reader(io.StringIO(staff_browser.get("/console/reports/?days=7&export=sales").content.decode())))
    assert en[0] == ["day", "orders", "paid_orders", "sales", "refunded", "net"]


def test_reports_charts_are_labelled_in_chinese(zh_browser, make_paid):
    make_paid()
    response = zh_browser.get("/console/reports/?days=7")
    html = response.content.decode()
    assert "销售额走势" in html and "扣除退款后净额" in html
    spec = response.context["lead_chart"]
    assert str(spec["axis"]) == "付款 → 发货" and str(spec["datasets"][0]["label"]) == "订单"
    assert "销售额（¥）" in html  # the sales chart's dataset label, in its JSON
