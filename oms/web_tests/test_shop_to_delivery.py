"""A customer signs up, orders and pays in the Alipay sandbox; staff confirm and ship; the customer sees the
tracking number, confirms receipt and returns one unit, which staff approve, receive and refund through the
sandbox; the reports page draws its charts. The journey runs once in English and once in Chinese (a zh-CN
browser), reading every button and message in that language from the project's own catalogs. Without JavaScript
the customer's actions still ask first, on a page. All through a real browser."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from oms.accounts.tests.factories import StaffFactory, UserFactory
from oms.aftersales.models import ReturnRequest
from oms.aftersales.states import ReturnStatus
from oms.aftersales.tests.factories import delivered_order
from oms.inventory.tests.factories import WarehouseFactory
from oms.orders.models import Order
from oms.orders.states import OrderStatus
from oms.payments.models import InboundNotification
from oms.shipping.tests.factories import stocked_sku

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = {
    "name": "陈嘉禾",
    "phone": "139 0000 1111",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "address": "龙井路18号",
    "postal_code": "310013",
}
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((canvas) => {
  const chart = window.Chart && window.Chart.getChart(canvas);
  if (!chart || !canvas.width || !canvas.height) return false;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
  return false;
})"""


BROWSER_LOCALES = {"en": "en-US", "zh-hans": "zh-CN"}


class Words:
    """What the pages say in one language, from the same catalogs the pages use."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.suffix = "" if language == "en" else "-zh"

    def __call__(self, msgid: str, context: str | None = None, **params: str) -> str:
        with translation.override(self.language):
            text = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
        return text % params if params else text

    def label(self, choice) -> str:
        with translation.override(self.language):
            return str(choice.label)


@pytest.fixture
def catalog(db):
    warehouse = WarehouseFactory(code="HZ-01", name="Hangzhou")
    tea = stocked_sku(warehouse, on_hand=20, price="45.00")
    tea.product.name = "West Lake Longjing"
    tea.product.save()
    stocked_sku(warehouse, on_hand=3, price="12.50")
    return tea


def sign_up_and_buy(page, base: str, tea, shoot, say: Words) -> str:
    page.goto(f"{base}/signup/")
    page.fill("#id_username", "carol")
    page.fill("#id_password1", "tea-lover-2024")
    page.fill("#id_password2", "tea-lover-2024")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/login/")  # the same answer for a free or a taken username: now log in
    page.fill("#id_username", "carol")
    page.fill("#id_password", "tea-lover-2024")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert page.get_by_text(say("Log out %(username)s", username="carol")).is_visible()
    shoot(page, f"shop-home{say.suffix}")

    page.fill("#q", "Longjing")
    page.click("form[role=search] button[type=submit]")
    page.click("text=West Lake Longjing")
    page.fill(f"#qty-{tea.code}", "2")
    page.click(f"button[data-sku='{tea.code}']")
    page.wait_for_selector("#cart-count:text('2')")  # htmx swapped the badge in place
    shoot(page, f"shop-product{say.suffix}")

    page.goto(f"{base}/cart/")
    assert page.locator("dd.grand").inner_text() == "¥100.00"  # 90.00 + 10.00 shipping (free from 99.00)
    page.click(f"text={say('Check out')}")
    for field, value in ADDRESS.items():
        if field in ("province", "city", "district"):
            # htmx fills each list when the one above changes
            page.wait_for_selector(f"#id_{field} option[value='{value}']", state="attached")
            page.select_option(f"#id_{field}", value)
        else:
            page.fill(f"#id_{field}", value)
    page.check("input[name=payment_method][value=alipay]")
    assert page.locator("#shipping-fee").inner_text() == "¥10.00"
    assert page.locator("#order-total").inner_text() == "¥100.00"
    shoot(page, f"shop-checkout{say.suffix}")
    page.click("#place-order")

    page.wait_for_selector("form#pay")  # the sandbox cashier
    shoot(page, f"alipay-sandbox-cashier{say.suffix}")
    page.click("form#pay button[type=submit]")
    page.wait_for_load_state()
    order = Order.objects.get(customer__username="carol")
    assert order.shipping_address == {**ADDRESS, "phone": "13900001111"}  # chosen from the lists, digits only
    return order.order_no


def staff_confirm_and_ship(page, base: str, order_no: str, shoot, say: Words) -> str:
    page.goto(f"{base}/login/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", "secret-pass")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/console/")
    shoot(page, f"console-dashboard{say.suffix}")

    page.goto(f"{base}/console/orders/")
    page.select_option("#id_status", "paid")
    page.click("form[role=search] button[type=submit]")  # htmx: only the results are swapped
    page.wait_for_url(re.compile(r".*status=paid.*"))
    page.click(f"text={order_no}")
    page.click(f"text={say('Confirm for shipping')}")  # hx-confirm dialog, accepted
    page.wait_for_selector(f"text={say('Order confirmed: its shipments are ready to pick.')}")
    tracking_no = f"SIM{order_no[-8:]}"
    page.fill("input[name=tracking_no]", tracking_no)
    page.select_option("select[name=carrier]", "sim")
    page.click("form[hx-post$='/ship/'] button[type=submit], form[action$='/ship/'] button[type=submit]")
    page.wait_for_selector(f"text={say('Shipment handed to the carrier.')}")
    assert page.locator("h1 .status").inner_text() == say.label(OrderStatus.SHIPPED)
    shoot(page, f"console-order{say.suffix}")
    page.goto(f"{base}/console/orders/")
    shoot(page, f"console-orders{say.suffix}")
    return tracking_no


def return_one_unit(customer, staff, base: str, order_no: str, tea, shoot, say: Words) -> None:
    """The customer asks to return a unit; staff approve; the customer sends it; staff receive it and refund."""
    order_url, console_url = f"{base}/orders/{order_no}/", f"{base}/console/orders/{order_no}/"
    customer.fill(f"#id_qty_{tea.code}", "1")
    customer.fill("#id_reason", "A gift we already had")
    customer.click("#request-return")  # hx-confirm dialog, accepted
    customer.wait_for_selector(f"text={say('Return requested: we will tell you here when it is approved.')}")
    return_id = ReturnRequest.objects.get(order__order_no=order_no).pk

    staff.goto(console_url)
    shoot(staff, f"console-order-return-requested{say.suffix}")
    staff.click(f"text={say('Approve return #%(number)s', number=str(return_id))}")
    staff.wait_for_selector(f"text={say('Return approved: the customer may send the parcel.')}")

    customer.goto(order_url)
    customer.fill(f"#return-carrier-{return_id}", "SF Express")
    customer.fill(f"#return-tracking-{return_id}", "SF0000001")
    customer.click(f"text={say('I sent it')}")
    customer.wait_for_selector(f"text={say('Thanks: we will refund the items once the parcel arrives.')}")

    staff.goto(console_url)
    staff.click(f"text={say('Receive and refund')}")
    refunded = say("Refunded %(amount)s (%(refund_no)s).", amount="¥45.00", refund_no="\0").split("\0")[0]
    staff.wait_for_selector(f"text={refunded.rstrip(' (（')}")
    assert staff.locator(f"#return-{return_id} h3 .status").inner_text() == say.label(ReturnStatus.REFUNDED)
    shoot(staff, f"console-order-return{say.suffix}")
    staff.goto(f"{base}/console/returns/")
    shoot(staff, f"console-returns{say.suffix}")
    customer.goto(order_url)
    assert say("Refunded %(amount)s.", amount="¥45.00") in customer.locator(f"#return-{return_id}").inner_text()
    shoot(customer, f"shop-order-return{say.suffix}")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_customer_orders_pays_staff_ship_customer_confirms(server, new_page, catalog, shoot, language):
    StaffFactory(username="ops")
    base = server.url
    say = Words(language)
    customer = new_page(locale=BROWSER_LOCALES[language])
    order_no = sign_up_and_buy(customer, base, catalog, shoot, say)
    assert customer.evaluate("document.documentElement.lang") == language

    customer.goto(f"{base}/orders/{order_no}/")
    customer.wait_for_selector(f"h1 .status:text('{say.label(OrderStatus.PAID)}')")
    assert Order.objects.get(order_no=order_no).status == "paid"
    # The sandbox's notification reached our notify URL over HTTP, and was accepted.
    assert InboundNotification.objects.filter(provider="alipay", signature_valid=True).exists()
    shoot(customer, f"shop-order-paid{say.suffix}")

    staff = new_page(locale=BROWSER_LOCALES[language])
    tracking_no = staff_confirm_and_ship(staff, base, order_no, shoot, say)

    customer.goto(f"{base}/orders/{order_no}/")
    assert customer.locator(".tracking-no").inner_text() == tracking_no
    shoot(customer, f"shop-order-shipped{say.suffix}")
    customer.click("#confirm-receipt")
    customer.wait_for_selector(f"h1 .status:text('{say.label(OrderStatus.COMPLETED)}')")
    assert Order.objects.get(order_no=order_no).status == "completed"
    return_one_unit(customer, staff, base, order_no, catalog, shoot, say)

    staff.goto(f"{base}/console/reports/")
    staff.wait_for_load_state("networkidle")
    drawn = staff.evaluate(CHARTS_DRAWN)
    assert len(drawn) >= 4 and all(drawn), drawn
    shoot(staff, f"console-reports{say.suffix}")
    staff.goto(f"{base}/console/inventory/")
    shoot(staff, f"console-inventory{say.suffix}")


def test_without_javascript_every_customer_action_asks_on_a_page_first(server, new_page, catalog, shoot, address):
    """The order page's buttons open server-rendered confirm pages when htmx cannot run; only "Yes" acts."""
    order = delivered_order(
        customer=UserFactory(username="dan"), staff=StaffFactory(), address=address, lines=[(catalog, 2)]
    )
    page = new_page(javascript=False)
    page.goto(f"{server.url}/orders/{order.order_no}/")  # to the login page first, then back here
    page.fill("#id_username", "dan")
    page.fill("#id_password", "secret-pass")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#request-return")

    page.fill(f"#id_qty_{catalog.code}", "1")
    page.fill("#id_reason", "One was enough")
    page.click("#request-return")
    page.wait_for_selector(f"h1:text('Send these items of order {order.order_no} back?')")
    assert not ReturnRequest.objects.exists()
    shoot(page, "shop-confirm-return")
    page.click("#confirm-action")
    page.wait_for_selector("text=Return requested")
    ret = ReturnRequest.objects.get()

    page.click("text=Withdraw request")
    page.wait_for_selector(f"h1:text('Withdraw return request #{ret.pk}?')")
    page.click("text=No, go back")
    page.wait_for_selector("#confirm-receipt")
    ret.refresh_from_db()
    assert ret.status == "requested"

    page.click("#confirm-receipt")
    page.wait_for_selector(f"h1:text('Did you receive order {order.order_no}?')")
    page.click("#confirm-action")
    page.wait_for_selector("h1 .status:text('Completed')")
    assert Order.objects.get(pk=order.pk).status == "completed"


def test_storefront_fits_a_phone(server, new_page, catalog, shoot):
    page = new_page(width=390, height=844)
    page.goto(f"{server.url}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, "phone-shop-home")
    page.click("text=West Lake Longjing")
    page.click(f"button[data-sku='{catalog.code}']")
    page.wait_for_selector("#cart-count:text('1')")
    page.goto(f"{server.url}/cart/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shoot(page, "phone-shop-cart")
