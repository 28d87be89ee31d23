"""Brute-force protection: failed log-ins are counted per account and per client address (django-axes, through
every Django auth path: the API token, the shop's login form, the admin's), and past the limit every log-in,
even with the right password, is refused with 429 ``too_many_attempts`` and ``Retry-After`` until the cool-off
has passed. An unknown username is answered exactly like a known one.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.db.models import F
from django.test import Client
from rest_framework.test import APIClient

from oms.accounts.tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
PER_ACCOUNT = 5
PER_ADDRESS = 20
COOL_OFF = timedelta(minutes=15)


@pytest.fixture(autouse=True)
def _limits(settings):
    """The defaults, stated here so that the tests say what they check."""
    settings.AXES_FAILURE_LIMIT = PER_ACCOUNT
    settings.OMS_LOGIN_FAILURES_PER_ADDRESS = PER_ADDRESS
    settings.AXES_COOLOFF_TIME = COOL_OFF


def api_login(username: str, password: str, address: str = "10.0.0.1"):
    return APIClient(REMOTE_ADDR=address).post(TOKEN, {"username": username, "password": password}, format="json")


def shop_login(username: str, password: str, address: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=address).post("/login/", {"username": username, "password": password})


def admin_login(username: str, password: str, address: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(
        "/admin/login/", {"username": username, "password": password, "next": "/admin/"}
    )


def assert_locked_api(response) -> None:
    assert response.status_code == 429, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == "too_many_attempts"
    retry = int(response["Retry-After"])
    assert 0 < retry <= COOL_OFF.total_seconds()
    assert body["details"] == {"retry_after": retry}


def assert_locked_page(response) -> None:
    assert response.status_code == 429
    assert "text/html" in response["Content-Type"]
    assert 0 < int(response["Retry-After"]) <= COOL_OFF.total_seconds()
    assert "Too many failed log-in attempts" in response.content.decode()


def age_attempts(by: timedelta) -> None:
    """Let time pass for the throttle: every recorded failure happened ``by`` earlier."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - by)


def test_api_locks_an_account_after_the_limit_and_then_refuses_the_right_password(customer):
    for _ in range(PER_ACCOUNT - 1):
        assert api_login("alice", "wrong").json()["code"] == "invalid_credentials"
    assert_locked_api(api_login("alice", "wrong"))
    assert_locked_api(api_login("alice", "secret-pass"))
    assert_locked_api(api_login("alice", "secret-pass", address="10.9.9.9"))  # per account, from anywhere


def test_api_answers_an_unknown_username_exactly_like_a_known_one(customer):
    def run(username: str) -> list[tuple[int, str, str, bool]]:
        answers = [api_login(username, "wrong") for _ in range(PER_ACCOUNT + 2)]
        return [(r.status_code, r.json()["code"], r.json()["message"], "Retry-After" in r) for r in answers]

    assert run("alice") == run("nobody-by-this-name")


def test_api_unlocks_after_the_cool_off(customer):
    for _ in range(PER_ACCOUNT):
        api_login("alice", "wrong")
    assert_locked_api(api_login("alice", "secret-pass"))
    age_attempts(COOL_OFF - timedelta(minutes=1))
    assert_locked_api(api_login("alice", "secret-pass"))
    age_attempts(timedelta(minutes=2))
    response = api_login("alice", "secret-pass")
    assert response.status_code == 200 and "token" in response.json()


def test_staff_can_unlock_an_account_at_once(customer):
    for _ in range(PER_ACCOUNT):
        api_login("alice", "wrong")
    assert reset(username="alice")  # what the admin's "access attempts" page and `oms axes_reset_username` do
    assert api_login("alice", "secret-pass").status_code == 200


def test_a_successful_login_resets_the_accounts_count(customer):
    for _ in range(PER_ACCOUNT - 1):
        api_login("alice", "wrong")
    assert api_login("alice", "secret-pass").status_code == 200
    for _ in range(PER_ACCOUNT - 1):
        assert api_login("alice", "wrong").status_code == 400
    assert api_login("alice", "secret-pass").status_code == 200


def test_one_address_trying_many_usernames_is_locked_out(customer):
    UserFactory(username="bob")
    for i in range(PER_ADDRESS - 1):
        assert api_login(f"guess-{i}", "wrong").status_code == 400
    assert_locked_api(api_login("guess-last", "wrong"))
    assert_locked_api(api_login("bob", "secret-pass"))  # an account never tried, from that address
    assert api_login("bob", "secret-pass", address="10.0.0.2").status_code == 200  # another address is fine


def test_logging_in_to_ones_own_account_does_not_reset_the_address_count(customer):
    """Else an attacker with one account of their own could guess other people's passwords without end."""
    for i in range(PER_ADDRESS - 1):
        api_login(f"victim-{i % 3}", "wrong")
    assert api_login("alice", "secret-pass").status_code == 200
    assert_locked_api(api_login("victim-0", "wrong"))


def test_the_shop_login_form_locks_with_a_page_that_says_so(customer):
    for _ in range(PER_ACCOUNT - 1):
        response = shop_login("alice", "wrong")
        assert (
            response.status_code == 200 and "Please enter a correct username and password" in response.content.decode()
        )
    assert_locked_page(shop_login("alice", "wrong"))
    locked = shop_login("alice", "secret-pass")
    assert_locked_page(locked)
    assert "_auth_user_id" not in locked.wsgi_request.session


def test_the_shop_login_form_answers_an_unknown_username_like_a_known_one(customer):
    def run(username: str) -> list[tuple[int, bool, str]]:
        answers = [shop_login(username, "wrong") for _ in range(PER_ACCOUNT + 2)]
        return [
            (
                r.status_code,
                "Retry-After" in r,
                re.sub(r"[A-Za-z0-9]{32,}", "<token>", r.content.decode()).replace(username, "<name>"),
            )
            for r in answers
        ]

    assert run("alice") == run("nobody-by-this-name")


def test_the_admin_login_locks_too(db):
    StaffFactory(username="boss")
    for _ in range(PER_ACCOUNT - 1):
        assert admin_login("boss", "wrong").status_code == 200
    assert_locked_page(admin_login("boss", "wrong"))
    assert_locked_page(admin_login("boss", "secret-pass"))
    age_attempts(COOL_OFF + timedelta(minutes=1))
    assert admin_login("boss", "secret-pass").status_code == 302


def test_the_shop_and_the_api_share_one_count(customer):
    for _ in range(PER_ACCOUNT - 1):
        shop_login("alice", "wrong")
    assert_locked_api(api_login("alice", "wrong"))
    assert_locked_page(shop_login("alice", "secret-pass"))


def test_the_client_address_comes_from_the_trusted_proxy(customer, settings):
    settings.OMS_TRUSTED_PROXIES = 1
    for i in range(PER_ADDRESS):
        APIClient(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 10.0.0.7").post(
            TOKEN, {"username": f"guess-{i}", "password": "wrong"}, format="json"
        )
    # All came through the proxy from 10.0.0.7, whatever they claimed before it: that address is locked...
    locked = APIClient(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.7")
    assert_locked_api(locked.post(TOKEN, {"username": "alice", "password": "secret-pass"}, format="json"))
    # ...and other people behind the same proxy are not.
    other = APIClient(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.8")
    assert other.post(TOKEN, {"username": "alice", "password": "secret-pass"}, format="json").status_code == 200
