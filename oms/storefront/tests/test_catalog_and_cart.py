"""Browsing, search and the session cart."""

from __future__ import annotations

import pytest
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


def test_sign_up_logs_in(db):
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
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Log out carol" in client.get("/").content.decode()


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
