"""HTML comes only from templates (autoescaped) or ``format_html``: no Python source builds markup by string
formatting, so nothing a visitor sends can be echoed into a page unescaped.

The scan reads every module under ``oms/`` (tests and migrations aside) and refuses: an f-string, ``%``,
``.format()`` or ``+`` whose literal text holds a tag; an ``HttpResponse`` whose body is literal HTML; and
``mark_safe`` / ``SafeString`` of anything but a plain literal.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

OMS = Path(__file__).resolve().parents[2]
# Every HTML element, so that "<unix seconds>" in a plain message is not taken for markup.
ELEMENTS = (
    "a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite code col "
    "colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure footer form h1 "
    "h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li link main map mark menu "
    "meta meter nav noscript object ol optgroup option output p param picture pre progress q rp rt ruby s samp "
    "script search section select slot small source span strong style sub summary sup svg table tbody td template "
    "textarea tfoot th thead time title tr track u ul var video wbr"
)
TAG = re.compile(rf"<\s*/?\s*({ELEMENTS.replace(' ', '|')})(\s|>|/|$)|<!doctype", re.IGNORECASE)
RESPONSES = {"HttpResponse", "HttpResponseBadRequest", "HttpResponseNotFound", "HttpResponseForbidden"}
SAFE_MARKERS = {"mark_safe", "SafeString", "SafeText"}


def _literal_text(node: ast.AST) -> str:
    """The literal parts of a string expression (the constant pieces of an f-string, a plain constant)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_literal_text(part) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal_text(node.left) + _literal_text(node.right)
    return ""


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def html_built_by_formatting(source: str) -> list[tuple[int, str]]:
    """(line, what) for each place the source builds HTML from strings."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr) and TAG.search(_literal_text(node)):
            found.append((node.lineno, "f-string with HTML"))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and TAG.search(_literal_text(node.left)):
            found.append((node.lineno, "% formatting of HTML"))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            sides = (node.left, node.right)
            literal = any(TAG.search(_literal_text(side)) for side in sides)
            computed = any(not isinstance(side, ast.Constant) for side in sides)
            if literal and computed:
                found.append((node.lineno, "HTML joined with +"))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "format" and TAG.search(_literal_text(func.value)):
                found.append((node.lineno, ".format() of HTML"))
            elif _name(func) in RESPONSES and node.args and TAG.search(_literal_text(node.args[0])):
                found.append((node.lineno, f"{_name(func)} with an HTML body"))
            elif _name(func) in SAFE_MARKERS and not (
                len(node.args) == 1 and isinstance(node.args[0], ast.Constant) and not node.keywords
            ):
                found.append((node.lineno, f"{_name(func)} of a computed string"))
    return found


def _project_modules() -> list[Path]:
    return sorted(
        path
        for path in OMS.rglob("*.py")
        if "tests" not in path.relative_to(OMS).parts
        and "migrations" not in path.relative_to(OMS).parts
        and "web_tests" not in path.relative_to(OMS).parts
        and path.name != "conftest.py"
    )


def test_no_module_builds_html_by_string_formatting():
    modules = _project_modules()
    assert len(modules) > 50  # the scan really reads the project
    offenders = [
        f"{path.relative_to(OMS.parent)}:{line}: {what}"
        for path in modules
        for line, what in html_built_by_formatting(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "Build HTML in a template (or format_html):\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    "source",
    [
        "page = f'<h1>{title}</h1>'",
        'page = f"<!doctype html><title>{x}</title>"',
        "page = '<p>%s</p>' % name",
        "page = '<a href=\"{}\">'.format(url)",
        "page = '<b>' + name + '</b>'",
        "HttpResponse('<p>hello</p>')",
        "HttpResponse(f'<p>{name}</p>', status=400)",
        "mark_safe(value)",
        "mark_safe(f'{a}')",
        "SafeString('<b>' + name)",
        "html = f'''\n<div class=\"x\">\n{body}</div>'''",
    ],
)
def test_the_scan_finds_html_built_by_formatting(source):
    assert html_built_by_formatting(source), source


@pytest.mark.parametrize(
    "source",
    [
        "text = f'Order {order_no} is paid.'",
        "text = f'{a} < {b}'",
        "text = f'{a}<={b}'",
        "format_html('<span class=\"status-{}\">{}</span>', status, label)",
        "format_html_join('', '<div>{}: {}</div>', rows)",
        "HttpResponse('success', content_type='text/plain')",
        "mark_safe('<br>')",
        "message = f'Send the header as t=<unix seconds>,v1=<hex>: {name}'",
        "sql = 'SELECT * FROM t WHERE a < %s' % placeholder",
    ],
)
def test_the_scan_leaves_plain_text_and_escaping_helpers_alone(source):
    assert html_built_by_formatting(source) == [], source
