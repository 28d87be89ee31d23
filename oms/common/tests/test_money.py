"""One way to add money up in SQL (money_sum) and one way to write it for people (format_money / |money)."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.template import Context, Template

from oms.common.money import format_money

OMS = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1234.5"), "¥1,234.50"),
        (Decimal("10018.92"), "¥10,018.92"),
        (Decimal("0"), "¥0.00"),
        (Decimal("-5"), "-¥5.00"),
        (100, "¥100.00"),
        ("19.9", "¥19.90"),
        (Decimal("0.005"), "¥0.01"),
        (None, "–"),
    ],
)
def test_format_money(value, shown):
    assert format_money(value) == shown
    assert Template("{% load money %}{{ x|money }}").render(Context({"x": value})) == shown


def test_format_money_refuses_floats():
    with pytest.raises(TypeError):
        format_money(0.1)


def _money_fields() -> set[str]:
    return {
        field.name
        for model in apps.get_models()
        if model.__module__.startswith("oms.")
        for field in model._meta.get_fields()
        if isinstance(field, models.DecimalField)
    }


def _sources() -> list[Path]:
    return [
        path
        for path in OMS.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts and path.name != "money.py"
    ]


def test_no_plain_sum_or_avg_over_money():
    """SQLite answers SUM/AVG of a decimal column as a float: money is added up only through money_sum."""
    money = _money_fields()
    assert {"amount", "total_amount", "line_total", "price"} <= money
    offenders = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in {"Sum", "Avg"}:
                continue
            names = {
                part
                for arg in node.args
                for const in ast.walk(arg)
                if isinstance(const, ast.Constant) and isinstance(const.value, str)
                for part in const.value.split("__")
            }
            if names & money:
                offenders.append(f"{path.relative_to(OMS.parent)}:{node.lineno}")
    assert offenders == []
