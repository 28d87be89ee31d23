"""Token login and the ``Authorization: Token <token>`` header, end to end."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from oms.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
ME = "/api/v1/me/"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert body["message"]
    return body


def login(client, username: str = "alice", password: str = "secret-pass"):
    return client.post(TOKEN, {"username": username, "password": password}, format="json")


def test_token_flow_end_to_end(api_client, customer):
    response = login(api_client)

    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert set(response.json()) == {"token"}
    assert Token.objects.get(user=customer).key == token

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get(ME)
    assert me.status_code == 200
    assert me.json() == {"username": "alice", "email": "alice@example.com", "is_staff": False}
    assert api_client.get("/api/v1/orders/").status_code == 200


def test_logging_in_again_returns_the_same_token(api_client, customer):
    assert login(api_client).json()["token"] == login(api_client).json()["token"]


def test_staff_token_carries_staff_rights(api_client, staff):
    token = login(api_client, "staffer").json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get(ME).json()["is_staff"] is True
    assert api_client.get("/api/v1/warehouses/").status_code == 200


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "wrong-pass"), ("nobody", "secret-pass"), ("alice", "SECRET-PASS"), ("alice", " secret-pass")],
)
def test_wrong_credentials_are_400_invalid_credentials(api_client, customer, username, password):
    assert_error(login(api_client, username, password), 400, "invalid_credentials")
    assert not Token.objects.exists()


def test_inactive_user_gets_no_token(api_client):
    UserFactory(username="gone", is_active=False)
    assert_error(login(api_client, "gone"), 400, "invalid_credentials")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "alice"},
        {"password": "secret-pass"},
        {"username": "alice", "password": "secret-pass", "remember": True},
        {"username": "u" * 151, "password": "secret-pass"},
        {"username": "alice", "password": "p" * 129},
        {"username": ["alice"], "password": "secret-pass"},
        [],
    ],
)
def test_bad_token_request_is_400(api_client, customer, body):
    assert_error(api_client.post(TOKEN, body, format="json"), 400, "validation_error")


def test_malformed_token_request_is_400(api_client):
    assert_error(api_client.post(TOKEN, "{", content_type="application/json"), 400, "parse_error")


def test_token_request_must_be_json(api_client, customer):
    response = api_client.post(TOKEN, {"username": "alice", "password": "secret-pass"}, format="multipart")
    assert_error(response, 415, "unsupported_media_type")


def test_token_endpoint_takes_only_post(api_client):
    assert_error(api_client.get(TOKEN), 405, "method_not_allowed")


def test_no_credentials_is_401_not_authenticated(api_client):
    response = api_client.get(ME)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("header", ["Token not-a-real-token", "Token ", "Token a b", "Token \u00e9\u00e9"])
def test_bad_token_is_401(api_client, customer, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_other_authorization_schemes_are_not_authenticated(api_client, customer):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer abc")
    assert_error(api_client.get(ME), 401, "not_authenticated")


def test_deleted_token_stops_working(api_client, customer, settings):
    settings.TOKEN_CACHE_SECONDS = 0
    token = login(api_client).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get(ME).status_code == 200
    Token.objects.filter(key=token).delete()
    assert api_client.get(ME).status_code == 401
