"""API errors follow Accept-Language: the message is in the client's language, the code never changes."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from oms.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def ask(language: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    client = APIClient(headers={"accept-language": language})
    response = client.post(path, body or {}, format="json") if body is not None else client.get(path)
    return response.status_code, response.json()


def test_wrong_password_same_code_in_both_languages():
    UserFactory(username="alice")
    wrong = {"username": "alice", "password": "not-the-password"}
    status_en, english = ask("en", TOKEN, wrong)
    status_zh, chinese = ask("zh-CN,zh;q=0.9", TOKEN, wrong)
    assert status_en == status_zh == 400
    assert english["code"] == chinese["code"] == "invalid_credentials"
    assert english["message"] == "Unknown username or wrong password."
    assert chinese["message"] == "用户名不存在或密码错误。"


def test_invalid_request_same_code_in_both_languages():
    status_en, english = ask("en", TOKEN, {"username": "alice", "colour": "red"})
    status_zh, chinese = ask("zh-CN", TOKEN, {"username": "alice", "colour": "red"})
    assert status_en == status_zh == 400
    assert english["code"] == chinese["code"] == "validation_error"
    assert english["message"] == "The request is not valid; see details."
    assert chinese["message"] == "请求无效，详见 details。"
    assert english["details"]["colour"] == ["Unknown field."] and chinese["details"]["colour"] == ["未知字段。"]
    assert set(english["details"]) == set(chinese["details"])  # field names stay as they are


def test_unknown_api_address_in_both_languages():
    status_en, english = ask("en", "/api/v1/no-such-thing/")
    status_zh, chinese = ask("zh-CN", "/api/v1/no-such-thing/")
    assert status_en == status_zh == 404
    assert english["code"] == chinese["code"] == "not_found"
    assert (english["message"], chinese["message"]) == ("No such page or resource.", "没有这个页面或资源。")
