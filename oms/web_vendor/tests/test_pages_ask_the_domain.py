"""Pages never decide from a status themselves: each domain's ``allowed`` module (and its selectors) say what a
user may do and what a page should say, and the templates and views of the console and the storefront ask them.

These tests read the source: a template comparing ``.status`` with a string, or a console/storefront module
comparing a status with a string or an enum member (or testing it for membership), fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

OMS = Path(__file__).resolve().parents[2]
WEB_APPS = ("console", "storefront")

# A status (``order.status``, ``e.to_status``...) against a quoted literal, either way round, or ``status in``.
TEMPLATE_COMPARISON = re.compile(
    r"""status\s*(==|!=)\s*["']"""
    r"""|["']\s*(==|!=)\s*[\w.]*status\b"""
    r"""|\bstatus\s+(not\s+)?in\b"""
    r"""|["']\s+(not\s+)?in\s+[\w.]*status\b"""
)
TEMPLATE_TAG = re.compile(r"{%.*?%}", re.DOTALL)


def template_comparisons(text: str) -> list[str]:
    """The template tags of ``text`` that compare a status with a literal."""
    return [tag for tag in TEMPLATE_TAG.findall(text) if TEMPLATE_COMPARISON.search(tag)]


def _is_status(node: ast.expr) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr.endswith("status")
    return isinstance(node, ast.Name) and node.id.endswith("status")


def _is_literal_or_member(node: ast.expr) -> bool:
    """A string, or a dotted name ending in an enum member (``OrderStatus.PAID``, ``S.PENDING``)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    return isinstance(node, ast.Attribute) and node.attr.isupper()


def python_comparisons(source: str) -> list[int]:
    """Line numbers of comparisons of a status with a string or an enum member, or of ``status in ...``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        if not any(_is_status(operand) for operand in operands):
            continue
        membership = any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops)
        if membership or any(_is_literal_or_member(operand) for operand in operands):
            lines.append(node.lineno)
    return lines


def _templates() -> list[Path]:
    return sorted(OMS.glob("**/templates/**/*.html"))


def _web_modules() -> list[Path]:
    return sorted(
        path for app in WEB_APPS for path in (OMS / app).rglob("*.py") if "tests" not in path.relative_to(OMS).parts
    )


def test_the_scan_sees_the_pages() -> None:
    assert len(_templates()) > 30
    assert any(path.name == "order.html" for path in _templates())
    assert OMS / "console" / "actions.py" in _web_modules()
    assert OMS / "storefront" / "views" / "orders.py" in _web_modules()


@pytest.mark.parametrize(
    "text",
    [
        '{% if order.status == "paid" %}',
        "{% elif po.status != 'draft' %}",
        '{% if "shipped" == ret.status %}',
        '{% if e.to_status == "rejected" and e.reason %}',
        "{% if order.status in waiting %}",
        '{% if not order.status in "paid refunded" %}',
    ],
)
def test_the_template_scan_catches_comparisons(text: str) -> None:
    assert template_comparisons(text)


@pytest.mark.parametrize(
    "text",
    [
        "{% status_pill order.status 'order' %}",
        "{{ e.to_status|status_label:'order' }}",
        "{% if e.from_status and e.from_status != e.to_status %}",
        '{% include "storefront/return_news/"|add:ret.status|add:".html" %}',
    ],
)
def test_the_template_scan_lets_display_be(text: str) -> None:
    assert not template_comparisons(text)


@pytest.mark.parametrize(
    "source",
    [
        "x = [s for s in order.shipments.all() if s.status == 'pending']",
        "ok = found.status != OrderStatus.SHIPPED",
        "ok = after.status == Refund.Status.SUCCEEDED",
        "ok = order.status in HOLDS_RESERVATION",
        "status = S(order.status)\nif status == S.PAID:\n    pass",
    ],
)
def test_the_python_scan_catches_comparisons(source: str) -> None:
    assert python_comparisons(source)


def test_the_python_scan_lets_other_uses_be() -> None:
    source = "render(request, 't.html', {}, status=404)\nform.status = 1\nok = a.from_status != a.to_status\n"
    assert not python_comparisons(source)


def test_no_template_compares_a_status_with_a_literal() -> None:
    found = {
        str(path.relative_to(OMS)): hits for path in _templates() if (hits := template_comparisons(path.read_text()))
    }
    assert found == {}, "ask the domain (its allowed module or selectors) instead of comparing statuses in a page"


def test_no_console_or_storefront_module_compares_a_status() -> None:
    found = {
        str(path.relative_to(OMS)): hits for path in _web_modules() if (hits := python_comparisons(path.read_text()))
    }
    assert found == {}, "ask the domain (its allowed module or selectors) instead of comparing statuses in a view"
