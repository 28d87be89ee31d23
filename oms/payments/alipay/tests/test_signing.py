"""RSA2 signing pinned to signatures made by the openssl CLI (see vectors/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from oms.payments.alipay import signing

VECTORS = Path(__file__).parent / "vectors"


def vector(name: str) -> str:
    return (VECTORS / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def private_pem() -> str:
    return vector("app_private_key.pem")


@pytest.fixture(scope="module")
def public_pem() -> str:
    return vector("app_public_key.pem")


def test_request_content_matches_hand_written_string():
    params = json.loads(vector("request_params.json"))
    assert signing.request_sign_content(params) == vector("request_content.txt")


def test_request_signature_is_byte_identical_to_openssl(private_pem):
    params = json.loads(vector("request_params.json"))
    params["sign"] = "an old signature is not part of the content"
    assert signing.sign_request(params, private_pem) == vector("request_signature.b64")


def test_openssl_request_signature_verifies(public_pem):
    params = json.loads(vector("request_params.json"))
    params["sign"] = vector("request_signature.b64")
    assert signing.verify_request(params, public_pem)


def test_notification_content_drops_sign_and_sign_type():
    params = json.loads(vector("notification_params.json"))
    assert signing.notification_sign_content(params) == vector("notification_content.txt")


def test_notification_signed_by_openssl_verifies(private_pem, public_pem):
    params = json.loads(vector("notification_params.json"))
    assert params["sign"] == vector("notification_signature.b64")
    assert signing.verify_notification(params, public_pem)
    assert signing.sign_notification(params, private_pem) == params["sign"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total_amount", "88.81"),
        ("subject", "测试商品 – 绿茶 500ml × 3"),
        ("trade_status", "TRADE_CLOSED"),
        ("extra", "x"),  # an added parameter is signed content too
    ],
)
def test_tampered_notification_is_refused(public_pem, field, value):
    params = json.loads(vector("notification_params.json"))
    params[field] = value
    assert not signing.verify_notification(params, public_pem)


def test_sign_type_is_not_part_of_notification_content(public_pem):
    params = json.loads(vector("notification_params.json"))
    params["sign_type"] = "RSA"  # not signed: changing it must not matter to the verifier
    assert signing.verify_notification(params, public_pem)


def test_tampered_signature_is_refused(public_pem):
    params = json.loads(vector("notification_params.json"))
    sign = params["sign"]
    params["sign"] = sign[:10] + ("A" if sign[10] != "A" else "B") + sign[11:]
    assert not signing.verify_notification(params, public_pem)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"sign": ""},
        {"sign": "not base64 !!!", "a": "b"},
        {"sign": 12, "a": "b"},
        {"sign": "AAAA", "a": None},
        {"sign": "AAAA", "a": ["list"]},
        {"sign": "AAAA", "\ud800": "lone surrogate"},
    ],
)
def test_malformed_notifications_are_false_not_errors(public_pem, params):
    assert signing.verify_notification(params, public_pem) is False


def test_malformed_public_key_is_false_not_error():
    params = json.loads(vector("notification_params.json"))
    assert signing.verify_notification(params, "not a key") is False


def test_empty_values_are_not_signed():
    assert signing.request_sign_content({"b": "2", "a": "", "c": "3", "sign": "x"}) == "b=2&c=3"


def test_bare_base64_keys_are_accepted(private_pem, public_pem):
    def bare(pem: str) -> str:
        return "".join(line for line in pem.splitlines() if not line.startswith("-----"))

    params = json.loads(vector("request_params.json"))
    assert signing.sign_request(params, bare(private_pem)) == vector("request_signature.b64")
    params["sign"] = vector("request_signature.b64")
    assert signing.verify_request(params, bare(public_pem))


def test_response_member_is_extracted_verbatim(public_pem):
    members = signing.top_level_members(vector("response_body.json"))
    raw = members["alipay_trade_query_response"]
    assert raw == vector("response_content.txt")
    assert json.loads(members["sign"]) == vector("response_signature.b64")
    assert signing.rsa2_verify(raw, json.loads(members["sign"]), public_pem)
    # Re-serializing the parsed value loses the exact text Alipay signed.
    assert json.dumps(json.loads(raw), ensure_ascii=False, separators=(",", ":")) != raw


def test_top_level_members_tolerates_whitespace_and_keeps_nested_text():
    body = ' { "a_response" : {"x": [1, 2], "y": "}"} ,\n"sign":"s" } '
    assert signing.top_level_members(body) == {"a_response": '{"x": [1, 2], "y": "}"}', "sign": '"s"'}


@pytest.mark.parametrize("body", ["", "[]", "{", '{"a":1', '{"a":1}x', "{1:2}", '{"a" 1}', "<html>"])
def test_top_level_members_rejects_non_objects(body):
    with pytest.raises(ValueError):
        signing.top_level_members(body)


def test_generated_key_pair_round_trips():
    private_pem, public_pem = signing.generate_key_pair()
    params = {"app_id": "1", "subject": "中文", "sign_type": "RSA2"}
    params["sign"] = signing.sign_notification(params, private_pem)
    assert signing.verify_notification(params, public_pem)
