"""Mainland China's provinces → cities → districts (data/pca-code.json, see data/README.md), and addresses shown
the Chinese way: 省 市 区 详细地址.

Municipalities: the data files the four municipalities' districts under a placeholder city, 市辖区 ("districts
under the city"; Chongqing also 县, "counties"). People write 北京市东城区, never 北京市市辖区东城区, so the lookups
offer the municipality itself as its only city (北京市 → 北京市 → 东城区), with the districts of all its placeholder
groups; the placeholder names are still accepted as that city. The provinces' own placeholder,
省直辖县级行政区划 (county-level cities run by the province, e.g. 济源市), is a real choice in the lists and is left out
when an address is shown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

DATA_FILE = Path(__file__).parent / "data" / "pca-code.json"
MUNICIPALITY_GROUPS = frozenset({"市辖区", "县"})  # placeholder cities under a municipality
PLACEHOLDER_CITIES = MUNICIPALITY_GROUPS | {"省直辖县级行政区划", "自治区直辖县级行政区划"}

Tree = dict[str, dict[str, list[str]]]  # province → city → districts, in the data's (code) order


@cache
def _tree() -> Tree:
    tree: Tree = {}
    for province in json.loads(DATA_FILE.read_text(encoding="utf-8")):
        name = province["name"]
        cities: dict[str, list[str]] = {}
        for city in province.get("children", []):
            districts = [district["name"] for district in city.get("children", [])]
            if city["name"] in MUNICIPALITY_GROUPS:
                cities.setdefault(name, []).extend(districts)  # 市辖区 and 县 both become the municipality
            else:
                cities[city["name"]] = districts
        tree[name] = cities
    return tree


def provinces() -> list[str]:
    """The 31 provincial-level divisions of the mainland, in code order (北京市 first)."""
    return list(_tree())


def cities(province: str) -> list[str]:
    """The cities of a province (a municipality's only city is itself); [] for an unknown province."""
    return list(_tree().get(province, {}))


def canonical_city(province: str, city: str) -> str:
    """The name the lists use for ``city``: a municipality's placeholder (市辖区, 县) becomes the municipality."""
    if city in MUNICIPALITY_GROUPS and province in _tree().get(province, {}):
        return province
    return city


def districts(province: str, city: str) -> list[str]:
    """The districts and counties of a city; [] when the province or city is unknown."""
    return list(_tree().get(province, {}).get(canonical_city(province, city), []))


def is_valid(province: str, city: str, district: str) -> bool:
    """The three names are a real province, one of its cities and one of that city's districts."""
    return district in districts(province, city)


# --- Showing an address -----------------------------------------------------------------------------------


def _text(address: Mapping[str, object], key: str) -> str:
    return str(address.get(key) or "").strip()


def place_line(address: Mapping[str, object]) -> str:
    """省 市 区 详细地址 邮政编码, the way it is written on a parcel.

    The city is left out when it repeats the province (北京市 北京市) or is a placeholder of the data (市辖区), so
    a municipality reads 北京市 东城区. Addresses stored before this app (English names, no country) read the same
    way: Shanghai Pudong 1 Century Avenue 200120.
    """
    province, city = _text(address, "province"), _text(address, "city")
    if city == province or city in PLACEHOLDER_CITIES:
        city = ""
    parts = [province, city, _text(address, "district"), _text(address, "address"), _text(address, "postal_code")]
    return " ".join(part for part in parts if part)


def format_address(address: Mapping[str, object] | None) -> str:
    """One line: recipient and phone, then 省 市 区 详细地址 邮政编码 (王伟，13800138000，上海市 浦东新区 …)."""
    if not address:
        return ""
    separator = "，" if (get_language() or "").startswith("zh") else ", "
    parts = [_text(address, "name"), _text(address, "phone"), place_line(address)]
    return separator.join(part for part in parts if part)
