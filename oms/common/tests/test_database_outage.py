"""A database that cannot be reached is a 503 ``service_unavailable`` with Retry-After, not a 500.

The outage is real: for the length of one request the connection settings point where no database answers (a
closed port; for SQLite a file that cannot be opened), so the driver itself fails to connect.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from oms.common.db_outage import is_database_unavailable

pytestmark = pytest.mark.django_db(transaction=True)  # the outage closes the connection: no test transaction


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens here once the socket is closed


@contextmanager
def database_down(tmp_path: Path) -> Iterator[None]:
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
    else:
        connection.settings_dict["HOST"] = "127.0.0.1"
        connection.settings_dict["PORT"] = str(_closed_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def _assert_503(response) -> None:
    assert response.status_code == 503, response.content[:500]
    assert response["Retry-After"] == "5"


def test_the_outage_is_real(tmp_path):
    from django.db import Error

    with database_down(tmp_path), pytest.raises(Error) as failure:
        connection.ensure_connection()
    assert is_database_unavailable(failure.value)
    assert Token.objects.count() == 0  # and back afterwards


def test_api_answers_503_json(customer, tmp_path):
    token = Token.objects.create(user=customer).key
    client = Client(headers={"Authorization": f"Token {token}"})
    with database_down(tmp_path):
        response = client.get("/api/v1/orders/")
    _assert_503(response)
    assert response.json()["code"] == "service_unavailable" and response.json()["message"]
    assert set(response.json()) == {"code", "message", "details"}
    assert client.get("/api/v1/orders/").status_code == 200  # it recovers by itself


def test_unauthenticated_api_answers_503_json(tmp_path):
    with database_down(tmp_path):
        response = Client().post(
            "/api/v1/auth/token/", {"username": "alice", "password": "x"}, content_type="application/json"
        )
    _assert_503(response)
    assert response.json()["code"] == "service_unavailable"


def test_shop_page_answers_503_page(tmp_path):
    with database_down(tmp_path):
        response = Client().get("/")
    _assert_503(response)
    assert response["Content-Type"].startswith("text/html")
    assert b"Briefly unavailable" in response.content


def test_outage_answers_in_the_clients_language(tmp_path):
    chinese = Client(headers={"accept-language": "zh-CN,zh;q=0.9"})
    with database_down(tmp_path):
        page = chinese.get("/")
        api = chinese.post(
            "/api/v1/auth/token/", {"username": "alice", "password": "x"}, content_type="application/json"
        )
    _assert_503(page)
    assert "暂时无法访问" in page.content.decode() and "5 秒后重试" in page.content.decode()
    _assert_503(api)
    assert api.json()["code"] == "service_unavailable" and api.json()["message"] == "服务暂时不可用，请几秒后重试。"


def test_an_error_of_the_statement_is_not_an_outage():
    from django.db import DatabaseError

    with pytest.raises(DatabaseError) as failure, connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_at_all")
    assert not is_database_unavailable(failure.value)
