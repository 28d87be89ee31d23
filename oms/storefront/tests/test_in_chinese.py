"""The shop in Simplified Chinese (Accept-Language: zh-CN) and, for the same pages, in English: the shop's own
words, flash messages and dates follow the language; statuses are shown by their labels, never their codes."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from oms.aftersales.tests.factories import delivered_order, requested_return
from oms.orders.states import OrderStatus
from oms.orders.tests.factories import pending_order

pytestmark = pytest.mark.django_db

CHINESE = "zh-CN,zh;q=0.9"


def browser(language: str, user=None) -> Client:
    client = Client(headers={"accept-language": language})
    if user is not None:
        client.force_login(user)
    return client


def test_catalog_and_cart_in_chinese(customer, tea):
    shopper = browser(CHINESE, customer)
    home = shopper.get("/").content.decode()
    assert '<html lang="zh-hans">' in home
    assert "<h1>商品</h1>" in home and "oms 商城" in home and 'placeholder="搜索商品"' in home
    assert "我的订单" in home and "退出登录（alice）" in home and "My orders" not in home
    product = shopper.get(f"/products/{tea.product_id}/").content.decode()
    assert "加入购物车" in product and "全部商品" in product and "Add to cart" not in product

    added = shopper.post("/cart/add/", {"sku": tea.code, "quantity": 2}, follow=True).content.decode()
    assert f"已加入购物车：{tea.name}（现有 2 件）。" in added
    assert "<h1>购物车</h1>" in added and "小计" in added and "去结算" in added
    refused = shopper.post("/cart/update/", {"sku": tea.code, "quantity": "lots"}, follow=True).content.decode()
    assert "请输入 0 到 999 之间的数量。" in refused


def test_the_same_pages_in_english(customer, tea):
    shopper = browser("en-US,en;q=0.9", customer)
    home = shopper.get("/").content.decode()
    assert '<html lang="en">' in home and "<h1>Products</h1>" in home and "商品" not in home
    added = shopper.post("/cart/add/", {"sku": tea.code, "quantity": 2}, follow=True).content.decode()
    assert "Added to your cart" in added and "购物车" not in added


def test_order_page_in_chinese_shows_labels_and_chinese_dates(customer, tea, address):
    order = pending_order(customer, address, (tea.code, 1))
    html = browser(CHINESE, customer).get(f"/orders/{order.order_no}/").content.decode()
    assert f"订单 {order.order_no}" in html and "使用支付宝付款" in html and "订单动态" in html
    assert f'hx-confirm="取消订单 {order.order_no}？"' in html
    with translation.override("zh-hans"):
        label = str(OrderStatus(order.status).label)
    assert f'<span class="status status-pending_payment">{label}</span>' in html
    assert ">pending_payment<" not in html  # the code is a CSS class, never the text
    # Dates in the Chinese convention (2026年12月2日 14:03), in the shop's time zone.
    assert re.search(r"<time [^>]*>\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}</time>", html)
    english = browser("en", customer).get(f"/orders/{order.order_no}/").content.decode()
    assert "Pay with Alipay" in english and "Order history" in english
    assert re.search(r"<time [^>]*>\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}</time>", english)


def test_returns_in_chinese(customer, staff, tea, address):
    delivered = delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 2)])
    ret = requested_return(delivered, (tea.code, 1), reason="太浓了")
    shopper = browser(CHINESE, customer)
    page = shopper.get(f"/orders/{delivered.order_no}/").content.decode()
    assert f"退货申请 #{ret.pk}" in page and "我们会尽快审核您的申请。" in page and "撤回申请" in page
    mine = shopper.get("/returns/").content.decode()
    assert "<h1>我的退货</h1>" in mine and "申请时间" in mine
    confirm = shopper.get(f"/orders/{delivered.order_no}/returns/{ret.pk}/cancel/").content.decode()
    assert f"撤回退货申请 #{ret.pk}？" in confirm and "是的，撤回" in confirm and "否，返回" in confirm
    withdrawn = shopper.post(
        f"/orders/{delivered.order_no}/returns/{ret.pk}/cancel/", {"confirmed": "yes"}, follow=True
    ).content.decode()
    assert "退货申请已撤回。" in withdrawn


def test_account_pages_and_not_found_in_chinese(customer):
    anonymous = browser(CHINESE)
    login = anonymous.get("/login/?next=/orders/").content.decode()
    assert "<h1>登录</h1>" in login and "用户名" in login and '<a href="/signup/?next=/orders/">注册账户</a>' in login
    signup = anonymous.get("/signup/").content.decode()
    assert "<h1>注册账户</h1>" in signup and "已有账户？" in signup
    missing = anonymous.get("/no-such-page/")
    assert missing.status_code == 404 and "页面没有找到" in missing.content.decode()
    shopper = browser(CHINESE, customer)
    not_mine = shopper.get("/orders/NO-SUCH-ORDER/")
    assert not_mine.status_code == 404 and "您的订单中没有订单 NO-SUCH-ORDER。" in not_mine.content.decode()


def test_payment_return_page_in_chinese():
    page = browser(CHINESE).get("/payments/alipay/return/")
    html = page.content.decode()
    assert page.status_code == 400 and "无法识别的支付链接" in html and "此返回链接无效" in html
