"""Shared fixtures. Every test runs against the database DATABASE_URL names (SQLite, PostgreSQL or MariaDB)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from oms.celery import app


def pytest_configure(config):  # noqa: ARG001
    """The SQLite test database's folder and the embedded broker's (importing the settings makes none)."""
    from oms.common.folders import ensure_var_dirs

    ensure_var_dirs()


def pytest_runtest_setup(item):
    """Tests marked with what they need are skipped without it, or failed when the run expects it (expected.py)."""
    from django.apps import apps

    from oms.common.tests.expected import unavailable

    if item.get_closest_marker("sandbox") and not apps.is_installed("oms.sandbox"):
        unavailable("the Alipay sandbox is off (ALIPAY_APP_ID is set, or ALIPAY_SANDBOX=false)")
    if item.get_closest_marker("worker") and not os.environ.get("OMS_TEST_BROKER_URL"):
        unavailable("OMS_TEST_BROKER_URL is not set: no broker to run a worker on")


def pytest_report_header(config):  # noqa: ARG001
    from django.conf import settings

    return f"oms database: {settings.DATABASES['default']['ENGINE']} {settings.DATABASES['default']['NAME']}"


@pytest.fixture(scope="session", autouse=True)
def _database_is_the_expected_one(django_db_setup, django_db_blocker):  # noqa: ARG001
    """Fail loudly if CI asked for PostgreSQL or MariaDB and the run silently used something else."""
    from django.db import connection

    expected = os.environ.get("OMS_EXPECT_DB_VENDOR")
    if expected:
        with django_db_blocker.unblock():
            assert connection.vendor == expected, f"tests ran on {connection.vendor}, expected {expected}"


@pytest.fixture(scope="session", autouse=True)
def _static_root_exists() -> None:
    """WhiteNoise warns on every request handler it builds while STATIC_ROOT is missing (tests run no collectstatic)."""
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _english_unless_a_test_asks(settings):
    """Tests read English messages unless they ask for another language (Accept-Language, the switcher, or their
    own settings.LANGUAGE_CODE); the shop's own default is Chinese (OMS_DEFAULT_LANGUAGE)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories hash passwords for every user; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate-limit counters (sign-ups) and cached tokens of an earlier test
    would otherwise leak into it. Log-in throttling keeps its counts in the database, rolled back per test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_run_in_the_test(request):
    """A task queued with ``.delay()`` (e.g. on commit) runs at once, in the test's process and with its errors
    raised, as a worker would run it; a ``worker`` test sends its task to a real worker instead."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def address() -> dict[str, str]:
    return {
        "name": "Li Lei",
        "phone": "13800138000",
        "province": "Shanghai",
        "city": "Shanghai",
        "district": "Pudong",
        "address": "1 Century Avenue, Room 1001",
        "postal_code": "200120",
    }


@pytest.fixture
def customer(db):
    from oms.accounts.tests.factories import UserFactory

    return UserFactory(username="alice")


@pytest.fixture
def staff(db):
    from oms.accounts.tests.factories import StaffFactory

    return StaffFactory(username="staffer")


@pytest.fixture
def customer_client(customer) -> APIClient:
    client = APIClient()
    client.force_authenticate(customer)
    return client


@pytest.fixture
def staff_client(staff) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff)
    return client


WHO = ("owner", "other customer", "staff", "staff without rights")


@pytest.fixture
def people(customer, staff):
    """The users an allowed-actions table runs over: the order's customer, another customer, staff in both staff
    groups (they manage orders, refunds, returns and purchase orders), and staff in no group."""
    from oms.accounts.tests.factories import UserFactory

    return {
        "owner": customer,
        "other customer": UserFactory(username="bob"),
        "staff": staff,
        "staff without rights": UserFactory(username="onlooker", is_staff=True),
    }
