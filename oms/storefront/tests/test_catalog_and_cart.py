"""Browsing, search and the session cart."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


def test_home_lists_products_and_searches(tea):
    client = Client()
    html = client.get("/").content.decode()
    assert tea.product.name in html and "¥30.00" in html and 'href="/api/docs/"' in html
    assert tea.product.name in client.get(f"/?q={tea.code}").content.decode()
    assert "No products found." in client.get("/?q=nothing-like-this").content.decode()


def test_product_page_offers_its_variants(tea):
    html = Client().get(f"/products/{tea.product_id}/").content.decode()
    assert tea.code in html and "Add to cart" in html and 'hx-post="/cart/add/"' in html
    assert Client().get("/products/999999/").status_code == 404


def test_cart_flow(tea):
    client = Client()
    response = client.post("/cart/add/", {"sku": tea.code, "quantity": 2}, follow=True)
    html = response.content.decode()
    assert "Added to your cart" in html and "¥60.00" in html and "¥70.00" in html  # + 10.00 shipping
    client.post("/cart/update/", {"sku": tea.code, "quantity": 4})
    html = client.get("/cart/").content.decode()
    assert "¥120.00" in html and "Free" in html  # free shipping from 99.00
    client.post("/cart/update/", {"sku": tea.code, "quantity": 0})
    assert "Your cart is empty" in client.get("/cart/").content.decode()


def test_htmx_add_to_cart_answers_with_the_badge(tea):
    response = Client().post("/cart/add/", {"sku": tea.code, "quantity": 1}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="cart-count"' in html and ">1</span>" in html and 'hx-swap-oob="true"' in html


def test_unknown_sku_is_refused_with_a_message(tea):
    response = Client().post("/cart/add/", {"sku": "NOPE", "quantity": 1}, follow=True)
    assert "not sold any more" in response.content.decode()


def sign_up(client: Client, username: str, password: str = "a-long-pass-123", **fields):
    return client.post("/signup/", {"username": username, "password1": password, "password2": password, **fields})


def test_sign_up_then_log_in(db):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/signup/")
    token = page.cookies["csrftoken"].value
    response = client.post(
        "/signup/",
        {
            "username": "carol",
            "password1": "a-long-pass-123",
            "password2": "a-long-pass-123",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert "log in with it" in client.get("/login/").content.decode()
    assert User.objects.get(username="carol").check_password("a-long-pass-123")
    response = client.post(
        "/login/", {"username": "carol", "password": "a-long-pass-123", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and "Log out carol" in client.get("/").content.decode()


def test_sign_up_never_tells_whether_a_username_is_taken(customer):
    def answer(username: str) -> tuple[int, str, str]:
        client = Client()
        response = sign_up(client, username, next="/cart/")
        page = client.get(response["Location"]).content.decode()
        message = re.search(r'role="(?:status|alert)"[^>]*>(.*?)</', page, re.S)
        return response.status_code, response["Location"], (message.group(1) if message else "").replace(username, "*")

    assert answer("alice") == answer("somebody-new") == answer("ALICE")
    assert User.objects.get(username="alice").check_password("secret-pass")  # the existing account is untouched
    # Compared here, not in SQL: usernames follow the database's collation (case-insensitive on MariaDB's default).
    assert "ALICE" not in set(User.objects.values_list("username", flat=True))
    assert User.objects.filter(username="somebody-new").exists()
    client = Client()
    html = client.get(sign_up(client, "alice")["Location"]).content.decode()
    assert "already exists" not in html and "taken" not in html.replace("already taken, nothing was created", "")


def test_sign_ups_are_limited_per_address(db, settings):
    settings.OMS_SIGNUP_RATE = "3/h"
    for i in range(3):
        assert sign_up(Client(REMOTE_ADDR="10.1.1.1"), f"new-{i}").status_code == 302
    refused = sign_up(Client(REMOTE_ADDR="10.1.1.1"), "new-3")
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    assert "Too many sign-ups" in refused.content.decode()
    assert not User.objects.filter(username="new-3").exists()
    assert sign_up(Client(REMOTE_ADDR="10.1.1.2"), "new-4").status_code == 302


def test_sign_up_errors_are_shown(db):
    response = Client().post("/signup/", {"username": "dave", "password1": "x", "password2": "y"})
    assert response.status_code == 200
    assert "The two password fields didn’t match." in response.content.decode()


def test_customers_log_in_to_the_shop(customer):
    client = Client()
    response = client.post("/login/", {"username": "alice", "password": "secret-pass"})
    assert response.status_code == 302 and response["Location"] == "/"
    bad = Client().post("/login/", {"username": "alice", "password": "wrong"})
    assert bad.status_code == 200 and "Please enter a correct username and password" in bad.content.decode()
    assert client.post("/logout/").status_code == 302
