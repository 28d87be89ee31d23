"""What a browser gets when something goes wrong outside a view: a styled page of the site it is on (console under
/console/ for staff, the shop elsewhere), JSON only under /api/; an expired form says to reload; a favicon."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.test import Client, RequestFactory

from oms.web_vendor.error_pages import csrf_failure

pytestmark = pytest.mark.django_db


def _page(response, status: int) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'rel="stylesheet"' in html and 'rel="icon"' in html
    return html


@pytest.mark.parametrize("path", ["/no-such-page/", "/products/99999/", "/orders/x/y/z/", "/console/no-such-page/"])
def test_unknown_pages_are_shop_pages_for_visitors(path):
    html = _page(Client().get(path), 404)
    assert "Page not found" in html and "oms shop" in html and "oms console" not in html


def test_unknown_console_pages_are_console_pages_for_staff(staff):
    client = Client()
    client.force_login(staff)
    html = _page(client.get("/console/no-such-page/"), 404)
    assert "Page not found" in html and "oms console" in html and 'href="/console/"' in html


def test_unknown_api_urls_stay_json():
    response = Client().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.urls("oms.web_vendor.tests.urls")
def test_server_errors_are_pages_outside_the_api(staff):
    client = Client(raise_request_exception=False)
    client.force_login(staff)
    html = _page(client.get("/boom/"), 500)
    assert "Something went wrong" in html and "oms shop" in html
    assert "staffer" not in html  # drawn without looking up the session: as to a visitor
    html = _page(client.get("/console/boom/"), 500)
    assert "Something went wrong" in html and "oms console" in html
    api = client.get("/api/v1/boom/")
    assert api.status_code == 500 and api.json()["code"] == "server_error"


def test_a_stale_csrf_token_gets_a_page_that_says_to_reload(customer):
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")  # sets the CSRF cookie; the form below carries an old token
    response = client.post(
        "/login/",
        {"username": customer.username, "password": "x", "csrfmiddlewaretoken": "a" * 64},
        HTTP_REFERER="http://testserver/login/",
    )
    html = _page(response, 403)
    assert "This page has expired" in html and "Reload the page and try again." in html
    assert "oms shop" in html and 'id="reload-link" href="http://testserver/login/"' not in html
    assert 'href="http://testserver/login/" id="reload-link"' in html
    assert response["X-OMS-Error"] == "csrf_failed"
    assert "CSRF verification failed" not in html


def test_a_stale_csrf_token_in_the_console_gets_a_console_page(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    response = client.post("/console/orders/bulk/confirm/", {"order_no": "1"}, HTTP_REFERER="https://evil.example/")
    html = _page(response, 403)
    assert "This page has expired" in html and "oms console" in html
    assert "evil.example" not in html  # the reload link is the console, not a foreign referer


def test_csrf_failure_under_the_api_is_json():
    response = csrf_failure(RequestFactory().post("/api/v1/anything/"), reason="CSRF token missing.")
    assert response.status_code == 403 and response["Content-Type"] == "application/json"


def test_favicon_is_served_and_linked():
    assert finders.find("web/favicon.svg")
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/web/favicon.svg"
    html = Client().get("/login/").content.decode()
    assert '<link rel="icon" href="/static/web/favicon.svg"' in html


@pytest.mark.urls("oms.web_vendor.tests.urls")
def test_error_pages_in_chinese(customer):
    chinese = {"accept-language": "zh-CN,zh;q=0.9"}
    html = _page(Client(headers=chinese).get("/no-such-page/"), 404)
    assert '<html lang="zh-hans">' in html and "此地址没有页面" in html and "返回商城" in html
    html = _page(Client(headers=chinese, raise_request_exception=False).get("/boom/"), 500)
    assert "出错了" in html and "服务器无法处理此请求" in html
    client = Client(headers=chinese, enforce_csrf_checks=True)
    client.get("/login/")
    response = client.post("/login/", {"username": customer.username, "password": "x", "csrfmiddlewaretoken": "a" * 64})
    html = _page(response, 403)
    assert "页面已过期" in html and "刷新页面" in html and response["X-OMS-Error"] == "csrf_failed"
