"""Every page a person reads, rendered in Simplified Chinese, has no English left in it (and in English, none of the
Chinese the templates add). Words that stay as they are everywhere (codes, brand names, units) are allowed below;
the data a page shows (SKU codes, user names, order numbers) is the shop's and is allowed too.

A failure names the page and the words: mark them for translation ({% translate %} / gettext) and translate them
in the app's catalog (scripts/messages.sh, then fill in oms/<app>/locale/zh_Hans/LC_MESSAGES/django.po).
"""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import translation

from oms.accounts.tests.factories import StaffFactory, UserFactory
from oms.aftersales.tests.factories import delivered_order, requested_return
from oms.inventory.tests.factories import WarehouseFactory
from oms.orders.tests.factories import pending_order
from oms.payments.tests.factories import paid_order
from oms.purchasing.tests.factories import SupplierFactory, draft_po
from oms.regions import regions
from oms.shipping.tests.factories import stocked_sku

pytestmark = pytest.mark.django_db

# Words that are the same in a Chinese page: product and brand names, codes, units and formats.
ALLOWED_WORDS = {
    "oms",
    "alipay",
    "sku",
    "skus",
    "api",
    "csv",
    "xlsx",
    "pdf",
    "english",
    "id",
    "url",
    "json",
    "ems",
    "sf",
    "jd",
    "sim",
    "eoq",
    "rop",
    "wap",
    "rsa",
    "qr",
    "cny",
    "rmb",
    "pc",
    "utc",
    "cst",
    "gmt",
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
    "mase",
    "plan",
}
VISIBLE_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
SKIPPED_ELEMENTS = {"script", "style", "template", "code", "pre"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]{2,}")
HAN = re.compile(r"[\u4e00-\u9fff]")


class VisibleText(HTMLParser):
    """The text a reader sees: text nodes outside scripts and styles, and the labels in attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_ELEMENTS:
            self._skipping += 1
        # Hidden elements count too: error banners are hidden until they are needed.
        attributes = dict(attrs)
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.parts.append(value)
        if tag == "input" and attributes.get("type") in {"submit", "button"} and attributes.get("value"):
            self.parts.append(attributes["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_ELEMENTS and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.parts


def english_left(html: str, data_words: set[str]) -> list[str]:
    leftovers = []
    for part in visible_text(html):
        for word in WORD.findall(part):
            lowered = word.lower().strip("'’")
            if lowered not in ALLOWED_WORDS and lowered not in data_words:
                leftovers.append(f"{word} (in {part[:60]!r})")
    return leftovers


@pytest.fixture
def shop(settings):
    """A small Chinese shop with an order in every state a page shows: Chinese product names, as the demo has, its
    default language Chinese and its timeline written in Chinese (a note is kept in the language it was written in,
    see the README)."""
    settings.OMS_PUBLIC_BASE_URL = "http://testserver"
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        return make_shop()


@pytest.fixture
def english_shop(settings):
    """The same shop run in English: its timeline written in English."""
    settings.OMS_PUBLIC_BASE_URL = "http://testserver"
    with translation.override("en"):
        return make_shop()


def make_shop():
    warehouse = WarehouseFactory(code="SH-01", name="上海仓", region="上海市")
    staff = StaffFactory(username="ops", is_superuser=True)
    customer = UserFactory(username="wang")
    address = {
        "name": "王小明",
        "phone": "13800138000",
        "province": "上海市",
        "city": "上海市",
        "district": "浦东新区",
        "address": "世纪大道 1 号 1001 室",
        "postal_code": "200120",
    }
    tea = stocked_sku(warehouse, on_hand=50, price="45.00")
    tea.name = "明前龙井 250克"
    tea.save()
    tea.product.name = "西湖龙井"
    tea.product.save()
    pending = pending_order(customer, address, (tea.code, 1))
    paid = paid_order(customer=customer, staff=staff, address=address, lines=[(tea, 1)])
    delivered = delivered_order(customer=customer, staff=staff, address=address, lines=[(tea, 2)])
    requested_return(delivered, (tea.code, 1), reason="尺寸不合适")
    po = draft_po(supplier=SupplierFactory(code="SUP-1", name="杭州茶厂"), warehouse=warehouse, lines=[(tea, 10)])
    # "bank transfer" is the reference staff typed for the offline payment (the factory's).
    data_words = {w.lower() for w in ("ops", "wang", tea.code, warehouse.code, "SUP", po.po_no, "bank", "transfer")}
    data_words |= {w.lower() for value in (tea.code, po.po_no) for w in WORD.findall(value)}
    return {
        "staff": staff,
        "customer": customer,
        "tea": tea,
        "pending": pending,
        "paid": paid,
        "delivered": delivered,
        "po": po,
        "data_words": data_words,
    }


def pages(shop) -> list[tuple[str, str]]:
    """(who, path) for every page a person reads."""
    return [
        ("anonymous", "/"),
        ("anonymous", f"/products/{shop['tea'].product_id}/"),
        ("anonymous", "/login/"),
        ("anonymous", "/signup/"),
        ("anonymous", "/no-such-page/"),
        ("customer", "/cart/"),
        ("customer", "/checkout/"),
        ("customer", "/orders/"),
        ("customer", f"/orders/{shop['pending'].order_no}/"),
        ("customer", f"/orders/{shop['paid'].order_no}/"),
        ("customer", f"/orders/{shop['delivered'].order_no}/"),
        ("customer", "/returns/"),
        ("customer", "/payments/alipay/return/"),
        ("staff", "/console/"),
        ("staff", "/console/orders/"),
        ("staff", f"/console/orders/{shop['paid'].order_no}/"),
        ("staff", f"/console/orders/{shop['delivered'].order_no}/"),
        ("staff", f"/console/orders/pick-list/?order_no={shop['paid'].order_no}"),
        ("staff", "/console/returns/"),
        ("staff", "/console/exceptions/"),
        ("staff", "/console/inventory/"),
        ("staff", "/console/purchase-orders/"),
        ("staff", "/console/purchase-orders/new/"),
        ("staff", f"/console/purchase-orders/{shop['po'].po_no}/"),
        ("staff", "/console/reports/"),
    ]


def browser_for(shop, who: str, language: str) -> Client:
    client = Client(headers={"accept-language": language})
    if who != "anonymous":
        client.force_login(shop[who])
    if who == "customer":
        client.post("/cart/add/", {"sku": shop["tea"].code, "quantity": 1})
    return client


def cashier_page(shop, language: str) -> str:
    """The Alipay sandbox's cashier, reached the way the shop sends a shopper there."""
    client = browser_for(shop, "customer", language)
    response = client.post(f"/orders/{shop['pending'].order_no}/pay/", {"method": "alipay"})
    assert response.status_code == 302, response.content[:300]
    cashier = client.get(response["Location"])
    assert cashier.status_code == 200
    return cashier.content.decode()


def test_chinese_pages_have_no_english_left(shop):
    problems = {}
    for who, path in pages(shop):
        response = browser_for(shop, who, "zh-CN,zh;q=0.9").get(path)
        assert response.status_code in {200, 400, 404}, (path, response.status_code)
        html = response.content.decode()
        assert '<html lang="zh-hans">' in html, path
        leftovers = english_left(html, shop["data_words"])
        if leftovers:
            problems[path] = leftovers[:12]
    leftovers = english_left(cashier_page(shop, "zh-CN"), shop["data_words"])
    if leftovers:
        problems["sandbox cashier"] = leftovers[:12]
    assert not problems, "\n".join(f"{path}: {', '.join(words)}" for path, words in problems.items())


def test_english_pages_are_english(english_shop):
    """The same pages in English: no Chinese from the templates (the shop's own data, Chinese names, is allowed)."""
    data = {
        "王小明",
        "上海市",
        "浦东新区",
        "世纪大道",
        "西湖龙井",
        "明前龙井",
        "上海仓",
        "尺寸不合适",
        "杭州茶厂",
        "简体中文",
        *regions.provinces(),  # the checkout's province list: place names, as the data has them
    }
    problems = {}
    shop = english_shop
    for who, path in pages(shop):
        html = browser_for(shop, who, "en-US,en;q=0.9").get(path).content.decode()
        assert '<html lang="en">' in html, path
        chinese = [part for part in visible_text(html) if HAN.search(part) and not any(d in part for d in data)]
        if chinese:
            problems[path] = chinese[:8]
    assert not problems, "\n".join(f"{path}: {', '.join(parts)}" for path, parts in problems.items())


def test_money_reads_the_same_in_both_languages(shop):
    for language in ("zh-CN", "en"):
        html = browser_for(shop, "customer", language).get(f"/orders/{shop['paid'].order_no}/").content.decode()
        assert f"¥{shop['paid'].total_amount:,.2f}" in html
    assert shop["paid"].total_amount >= Decimal("45.00")
