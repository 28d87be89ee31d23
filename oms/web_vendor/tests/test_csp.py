"""A Content-Security-Policy on every page that allows only this server's own files, and templates that need
nothing more: no inline script, event handler or style anywhere (scripts and styles are static files)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

OMS = Path(__file__).resolve().parents[2]
INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "hx-on handler": re.compile(r"\shx-on", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def _templates() -> list[Path]:
    return sorted(OMS.rglob("templates/**/*.html"))


def test_no_template_has_inline_script_or_style():
    templates = _templates()
    assert len(templates) > 40
    found = [
        f"{path.relative_to(OMS.parent)}: {what}"
        for path in templates
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "Move it to a static file:\n" + "\n".join(found)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/", "/login/", "/console/", "/api/docs/", "/admin/login/", "/no-such-page/", "/payments/alipay/return/"],
)
def test_every_page_allows_only_its_own_files(staff, path):
    client = Client()
    if path == "/console/":
        client.force_login(staff)
    policy = _policy(client.get(path))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in source for sources in policy.values() for source in sources)


@pytest.mark.django_db
def test_api_docs_come_from_this_server():
    html = Client().get("/api/docs/").content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert '<script src="/api/docs/?script="></script>' in html and "<style" not in html
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert '"validatorUrl": null' in script.content.decode()  # no badge from the public validator
