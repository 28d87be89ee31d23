"""The one error format ``{"code", "message", "details"}``: the handler, the JSON 404/500 answers under /api/
(pages elsewhere: oms/web_vendor/tests/test_error_pages.py), strict input, and the API's public surface (schema,
docs, unknown URLs)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.management import call_command
from django.http import Http404
from django.test import RequestFactory
from rest_framework import exceptions, serializers

from oms.common.api import StrictSerializer, error_body, exception_handler, json_404, json_500
from oms.common.errors import Conflict, ErrorCode, NotFound, OmsError, ValidationFailed
from oms.inventory.errors import InsufficientStock, StockBelowReserved
from oms.orders.errors import IdempotencyKeyReused, InvalidTransition, OrderExpired


def handled(exc: Exception):
    return exception_handler(exc, {})


# --- the handler --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (ValidationFailed("bad"), 400, "validation_error"),
        (NotFound("gone"), 404, "not_found"),
        (Conflict("taken"), 409, "conflict"),
        (InsufficientStock(["A", "B"]), 409, "insufficient_stock"),
        (InvalidTransition(current="paid", target="cancelled"), 409, "invalid_transition"),
        (IdempotencyKeyReused("reused"), 422, "idempotency_key_reused"),
        (OrderExpired("late"), 409, "order_expired"),
        (StockBelowReserved("below"), 409, "stock_below_reserved"),
    ],
)
def test_application_errors_keep_their_code_and_status(exc, status, code):
    response = handled(exc)
    assert response.status_code == status
    assert response.data == {"code": code, "message": exc.message, "details": exc.details}


def test_details_are_passed_through():
    response = handled(InsufficientStock(["B", "A"]))
    assert response.data["details"] == {"skus": ["B", "A"]}
    assert "B" in response.data["message"]
    transition = handled(InvalidTransition(current="paid", target="cancelled"))
    assert transition.data["details"] == {"current_status": "paid", "requested_status": "cancelled"}


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (exceptions.ValidationError({"f": ["bad"]}), 400, "validation_error"),
        (exceptions.ParseError(), 400, "parse_error"),
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
        (exceptions.AuthenticationFailed(), 401, "authentication_failed"),
        (exceptions.PermissionDenied(), 403, "permission_denied"),
        (exceptions.NotFound(), 404, "not_found"),
        (exceptions.MethodNotAllowed("DELETE"), 405, "method_not_allowed"),
        (exceptions.NotAcceptable(), 406, "not_acceptable"),
        (exceptions.UnsupportedMediaType("text/plain"), 415, "unsupported_media_type"),
        (exceptions.Throttled(wait=3), 429, "throttled"),
        (Http404(), 404, "not_found"),
        (DjangoPermissionDenied(), 403, "permission_denied"),
        (RequestDataTooBig(), 400, "parse_error"),
    ],
)
def test_framework_errors_get_a_stable_code(exc, status, code):
    response = handled(exc)
    assert response.status_code == status
    assert set(response.data) == {"code", "message", "details"}
    assert response.data["code"] == code
    assert response.data["message"]


def test_validation_details_name_the_fields():
    response = handled(exceptions.ValidationError({"quantity": ["Too many."]}))
    assert response.data["details"] == {"quantity": ["Too many."]}


def test_throttled_says_when_to_retry():
    assert handled(exceptions.Throttled(wait=7))["Retry-After"] == "7"


def test_an_unknown_exception_is_left_to_django():
    assert handled(ZeroDivisionError()) is None
    assert handled(ValueError("bug")) is None


def test_base_error_defaults_to_400():
    response = handled(OmsError("plain"))
    assert (response.status_code, response.data["code"]) == (400, "validation_error")


def test_every_code_is_a_lowercase_string():
    assert all(code.value == code.value.lower() and " " not in code.value for code in ErrorCode)
    assert error_body(ErrorCode.NOT_FOUND, "m") == {"code": "not_found", "message": "m", "details": None}


def test_json_404_and_500_pages():
    request = RequestFactory().get("/x")
    for page, status, code in (
        (json_404(request, Http404()), 404, "not_found"),
        (json_500(request), 500, "server_error"),
    ):
        assert page.status_code == status
        assert page["Content-Type"] == "application/json"
        assert json.loads(page.content)["code"] == code


# --- strict input -------------------------------------------------------------------------------------------


class PairIn(StrictSerializer):
    a = serializers.IntegerField()
    b = serializers.CharField(required=False)


def test_strict_serializer_refuses_unknown_fields():
    body = PairIn(data={"a": 1, "c": 2, "d": 3})
    assert not body.is_valid()
    assert body.errors == {"c": ["Unknown field."], "d": ["Unknown field."]}


def test_strict_serializer_accepts_known_fields():
    body = PairIn(data={"a": 1})
    assert body.is_valid(), body.errors
    assert body.validated_data == {"a": 1}


@pytest.mark.parametrize("data", [[], "text", 1, None])
def test_strict_serializer_refuses_non_objects(data):
    assert not PairIn(data=data).is_valid()


# --- through HTTP -------------------------------------------------------------------------------------------


def assert_json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    return body


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/nothing/", "/api/v1/nothing/", "/api/v2/orders/"])
def test_unknown_url_is_a_json_404(customer_client, path):
    assert_json_error(customer_client.get(path), 404, "not_found")


@pytest.mark.django_db
def test_unknown_url_is_a_json_404_for_anonymous_too(api_client):
    assert_json_error(api_client.get("/api/v1/nothing/"), 404, "not_found")


@pytest.mark.django_db
def test_wrong_method_is_405(customer_client):
    assert_json_error(customer_client.delete("/api/v1/orders/"), 405, "method_not_allowed")


@pytest.mark.django_db
def test_deeply_nested_json_is_a_parse_error_not_a_500(customer_client):
    body = "[" * 100_000 + "]" * 100_000
    assert_json_error(
        customer_client.post("/api/v1/orders/", body, content_type="application/json"), 400, "parse_error"
    )


@pytest.mark.django_db
def test_body_over_the_upload_limit_is_a_json_400(customer_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"items": [], "shipping_address": {"address": "A" * 2000}})
    response = customer_client.post("/api/v1/orders/", body, content_type="application/json")
    assert_json_error(response, 400, "parse_error")


@pytest.mark.django_db
def test_server_error_is_json(customer_client, monkeypatch):
    from oms.orders import selectors

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "order_list", broken)
    customer_client.raise_request_exception = False
    response = customer_client.get("/api/v1/orders/")
    assert_json_error(response, 500, "server_error")


@pytest.mark.django_db
def test_openapi_schema_is_served(api_client):
    response = api_client.get("/api/schema/")
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3.")

    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/auth/token/",
        "/api/v1/skus/",
        "/api/v1/skus/{code}/stock/",
        "/api/v1/warehouses/",
        "/api/v1/orders/",
        "/api/v1/orders/{order_no}/",
        "/api/v1/orders/{order_no}/cancel/",
        "/api/v1/orders/{order_no}/mark-paid/",
    } <= set(schema["paths"])
    create = schema["paths"]["/api/v1/orders/"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in create.get("parameters", [])]


def test_openapi_schema_has_every_view_with_no_warning():
    """A view drf-spectacular cannot describe is left out of the schema with only a warning: fail on it here."""
    out = io.StringIO()
    call_command("spectacular", "--fail-on-warn", "--validate", stdout=out, stderr=out)
    schema = out.getvalue()
    assert "/api/v1/me/balance/:" in schema and "MyBalanceOut" in schema


@pytest.mark.django_db
def test_swagger_ui_is_served(api_client):
    response = api_client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/orders/%00/",
        "/api/v1/orders/?order_no=%00",
        "/api/v1/orders/?sku=A%00B&status=paid",
        "/api/v1/skus/?code=%00",
        "/api/v1/skus/%00/stock/",
        "/api/v1/orders/?x%00=1",
    ],
)
def test_a_nul_byte_in_an_api_url_is_a_400_not_a_database_error(staff_client, path):
    # PostgreSQL refuses NUL in text even in a WHERE clause: without the check these were 500s there.
    response = staff_client.get(path)

    assert_json_error(response, 400, "validation_error")
    assert "NUL" in response.json()["message"]


@pytest.mark.django_db
def test_a_nul_byte_in_a_page_url_or_form_is_a_400():
    from django.test import Client

    browser = Client()
    assert browser.get("/?q=tea%00").status_code == 400
    assert browser.get("/orders/%00/").status_code == 400
    response = browser.post("/login/", {"username": "ad\x00min", "password": "x"})
    assert response.status_code == 400 and "NUL" in response.content.decode()


@pytest.mark.django_db
def test_an_idempotency_key_with_control_characters_is_refused(customer_client, address):
    body = {"items": [{"sku": "NO-SUCH-SKU", "quantity": 1}], "shipping_address": address}
    response = customer_client.post("/api/v1/orders/", body, format="json", headers={"Idempotency-Key": "a\x01b"})

    body = assert_json_error(response, 400, "validation_error")
    assert "Idempotency-Key" in body["details"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["created_from=0001-01-01", "created_to=9999-12-31", "created_from=1899-12-31"])
def test_order_search_dates_at_the_ends_of_the_calendar_are_a_400(staff_client, query):
    # 0001-01-01 in Shanghai is still year 0 in UTC, and a day past 9999-12-31 does not exist: both were 500s.
    body = assert_json_error(staff_client.get(f"/api/v1/orders/?{query}"), 400, "validation_error")

    assert "between 1900 and 9998" in json.dumps(body["details"])


@pytest.mark.django_db
def test_a_broken_multipart_body_is_a_400(customer_client):
    response = customer_client.generic("POST", "/api/v1/orders/", b"--x\r\n", content_type="multipart/form-data")

    assert 400 <= response.status_code < 500, response.content
