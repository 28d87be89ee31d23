"""The checkout's address: province → city → district chosen from the lists, with htmx asking for the next list
and without it (the server refuses an incomplete choice and shows the lists of what was chosen)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from oms.orders.models import Order
from oms.regions import regions
from oms.storefront.tests.test_checkout_and_orders import checkout_form

pytestmark = pytest.mark.django_db


def options(html: str, field: str) -> list[str]:
    """The values offered by the select ``field`` (the placeholder's is "")."""
    found = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', html, re.S)
    assert found is not None, field
    return re.findall(r'<option value="([^"]*)"', found.group(1))


def selected(html: str, field: str) -> str | None:
    found = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', html, re.S)
    assert found is not None, field
    chosen = re.search(r'<option value="([^"]*)" selected>', found.group(1))
    return chosen.group(1) if chosen else None


@pytest.fixture
def at_checkout(shopper, tea) -> Client:
    shopper.post("/cart/add/", {"sku": tea.code, "quantity": 1})
    return shopper


def test_the_province_list_is_full_and_the_others_wait_for_a_choice(at_checkout):
    html = at_checkout.get("/checkout/").content.decode()

    assert options(html, "province") == ["", *regions.provinces()]
    assert options(html, "city") == [""] and options(html, "district") == [""]
    # htmx refreshes a list when the one above it changes (attributes only: the CSP allows no inline script)
    city = re.search(r'<select name="city"[^>]*>', html).group(0)
    assert 'hx-get="/checkout/regions/cities/"' in city and 'hx-trigger="change from:#id_province"' in city
    district = re.search(r'<select name="district"[^>]*>', html).group(0)
    assert 'hx-get="/checkout/regions/districts/"' in district
    assert 'hx-include="#id_province, #id_city"' in district


def test_the_lists_come_as_options_for_htmx(client):
    html = client.get("/checkout/regions/cities/", {"province": "江苏省"}).content.decode()
    assert re.findall(r'<option value="([^"]*)"', html) == ["", *regions.cities("江苏省")]
    assert "<select" not in html

    html = client.get("/checkout/regions/districts/", {"province": "江苏省", "city": "苏州市", "district": "姑苏区"})
    html = html.content.decode()
    assert re.findall(r'<option value="([^"]*)"', html) == ["", *regions.districts("江苏省", "苏州市")]
    assert '<option value="姑苏区" selected>' in html

    # a municipality's only city is itself; unknown names give the placeholder alone
    cities = client.get("/checkout/regions/cities/", {"province": "北京市"}).content.decode()
    assert re.findall(r'<option value="([^"]*)"', cities) == ["", "北京市"]
    unknown = client.get("/checkout/regions/districts/", {"province": "北京市", "city": "<b>x</b>"}).content.decode()
    assert re.findall(r'<option value="([^"]*)"', unknown) == [""]
    assert client.post("/checkout/regions/cities/", {"province": "北京市"}).status_code == 405


def test_the_placeholders_speak_chinese(client):
    html = Client(headers={"accept-language": "zh-CN"}).get("/checkout/regions/cities/").content.decode()
    assert '<option value="">请选择城市</option>' in html


def test_without_javascript_the_next_list_comes_with_the_error(at_checkout, address):
    """Choosing a province and sending the form answers with the cities of that province to choose from."""
    form = {**checkout_form(at_checkout), **address, "province": "浙江省", "city": "", "district": ""}

    response = at_checkout.post("/checkout/", form)

    assert response.status_code == 400
    html = response.content.decode()
    assert selected(html, "province") == "浙江省"
    assert options(html, "city") == ["", *regions.cities("浙江省")]
    assert "Choose a city." in html
    assert f'value="{address["address"]}"' in html  # the rest of what was typed is kept

    form["city"] = "杭州市"
    html = at_checkout.post("/checkout/", form).content.decode()
    assert selected(html, "city") == "杭州市"
    assert options(html, "district") == ["", *regions.districts("浙江省", "杭州市")]
    assert "Choose a district." in html and not Order.objects.exists()

    form["district"] = "西湖区"
    assert at_checkout.post("/checkout/", form).status_code == 302
    assert Order.objects.get().shipping_address["district"] == "西湖区"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"province": "Shanghai"}, "province", "Choose a province from the list."),
        ({"city": "苏州市"}, "city", "Choose a city of the chosen province."),
        ({"district": "姑苏区"}, "district", "Choose a district of the chosen city."),
        ({"phone": "021-64371234"}, "phone", "Enter a mainland mobile number"),
        ({"postal_code": "20012"}, "postal_code", "Enter a 6-digit postal code"),
    ],
)
def test_names_outside_the_lists_and_other_numbers_are_refused(at_checkout, address, change, field, message):
    response = at_checkout.post("/checkout/", {**checkout_form(at_checkout), **address, **change})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Order.objects.exists()


def test_the_mobile_is_stored_as_its_11_digits(at_checkout, address):
    form = {**checkout_form(at_checkout), **address, "phone": "+86 139-1234-5678"}
    assert at_checkout.post("/checkout/", form).status_code == 302
    assert Order.objects.get().shipping_address == {**address, "phone": "13912345678"}


def test_a_saved_address_from_before_the_lists_is_still_used_as_it_is(at_checkout, customer, tea):
    """Orders placed through the API (free text, English names) offer their address at the shop's checkout."""
    from oms.orders.tests.factories import pending_order

    old = {"name": "Li Lei", "phone": "13800138000", "province": "Shanghai", "city": "Shanghai",
           "district": "Pudong", "address": "1 Century Avenue", "postal_code": "200120"}  # fmt: skip
    pending_order(customer, old, (tea.code, 1))
    html = at_checkout.get("/checkout/").content.decode()
    assert "Li Lei, 13800138000, Shanghai Pudong 1 Century Avenue 200120" in html

    response = at_checkout.post("/checkout/", {**checkout_form(at_checkout), "saved_address": "0"})

    assert response.status_code == 302
    assert Order.objects.order_by("-id").first().shipping_address == old


def test_the_address_form_speaks_chinese(tea, customer):
    shopper = Client(headers={"accept-language": "zh-CN"})
    shopper.force_login(customer)
    shopper.post("/cart/add/", {"sku": tea.code, "quantity": 1})
    html = shopper.get("/checkout/").content.decode()
    for label in ("收货人", "手机号", "省", "市", "区/县", "详细地址", "邮政编码"):
        assert f">{label}</label>" in html, label
    assert '<option value="" selected>请选择省份</option>' in html


def test_a_saved_address_abroad_keeps_its_country(at_checkout, customer, tea):
    from oms.orders.tests.factories import pending_order

    hong_kong = {"name": "Chan Tai Man", "phone": "+852 2345 6789", "province": "Hong Kong", "city": "Hong Kong",
                 "district": "Central", "address": "1 Queen's Road", "postal_code": "999077", "country": "HK"}  # fmt: skip
    pending_order(customer, hong_kong, (tea.code, 1))

    response = at_checkout.post("/checkout/", {**checkout_form(at_checkout), "saved_address": "0"})

    assert response.status_code == 302
    assert Order.objects.order_by("-id").first().shipping_address == hong_kong
