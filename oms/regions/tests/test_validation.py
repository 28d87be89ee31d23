"""Mainland rules: a mobile number 1[3-9] + 9 digits (written as people write it) and a 6-digit postal code;
other countries are not held to them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from oms.regions.validation import check_postal_code, clean_mainland_fields, country_of, normalise_mobile

ADDRESS = {"name": "李娜", "phone": "13912345678", "province": "上海市", "city": "上海市", "district": "徐汇区",
           "address": "淮海中路100号", "postal_code": "200031"}  # fmt: skip


@pytest.mark.parametrize(
    "written",
    ["13800138000", "+8613800138000", "8613800138000", "+86 138 0013 8000", "86-138-0013-8000",
     "138-0013-8000", " 138 0013 8000 "],
)  # fmt: skip
def test_a_mainland_mobile_is_kept_as_its_11_digits(written):
    assert normalise_mobile(written) == "13800138000"


@pytest.mark.parametrize(
    "written",
    ["", "12800138000", "10800138000", "1380013800", "138001380001", "021-64371234", "+85213800138000",
     "+1 138 0013 8000", "1380013800O", "call me", "+86+8613800138000", "138.0013.8000"],
)  # fmt: skip
def test_anything_else_is_not_a_mainland_mobile(written):
    with pytest.raises(ValidationError) as raised:
        normalise_mobile(written)
    assert raised.value.code == "invalid_mobile"


def test_every_second_digit_from_3_to_9_is_a_mobile():
    assert [normalise_mobile(f"1{d}012345678") for d in "3456789"]


@pytest.mark.parametrize(("code", "ok"), [("200120", True), (" 100010 ", True), ("20012", False),
                                           ("2001200", False), ("SW1A 1AA", False), ("2001-2", False)])  # fmt: skip
def test_a_mainland_postal_code_has_6_digits(code, ok):
    if ok:
        assert check_postal_code(code) == code.strip()
    else:
        with pytest.raises(ValidationError):
            check_postal_code(code)


def test_no_country_means_the_mainland():
    assert country_of({}) == "CN" and country_of({"country": ""}) == "CN" and country_of({"country": "hk"}) == "HK"


def test_a_mainland_address_is_cleaned_and_its_errors_named_per_field():
    assert clean_mainland_fields({**ADDRESS, "phone": "+86 139 1234 5678"})["phone"] == "13912345678"
    assert clean_mainland_fields({**ADDRESS, "country": "CN"}) == {**ADDRESS, "country": "CN"}
    with pytest.raises(ValidationError) as raised:
        clean_mainland_fields({**ADDRESS, "phone": "021-64371234", "postal_code": "2000"})
    assert set(raised.value.message_dict) == {"phone", "postal_code"}


def test_another_country_is_not_held_to_mainland_rules():
    hong_kong = {**ADDRESS, "country": "HK", "phone": "+852 2345 6789", "postal_code": "999077X"}
    assert clean_mainland_fields(hong_kong) == hong_kong


def test_the_messages_are_in_chinese_for_a_chinese_reader():
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as raised:
            normalise_mobile("123")
        assert raised.value.messages == ["请输入中国大陆手机号：以 13 至 19 开头的 11 位数字，例如 13800138000。"]
