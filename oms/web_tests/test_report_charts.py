"""The lead-time chart keeps every bar's label, even on a narrow screen."""

from __future__ import annotations

import pytest

from oms.accounts.tests.factories import StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TICKS = """(id) => window.Chart.getChart(document.getElementById(id)).scales.x.ticks.map((tick) => tick.label)"""


@pytest.mark.parametrize("width", [1280, 420])
def test_lead_time_chart_shows_every_label(server, new_page, width):
    StaffFactory(username="ops")
    page = new_page(width=width)
    page.goto(f"{server.url}/login/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", "secret-pass")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{server.url}/console/")
    page.goto(f"{server.url}/console/reports/?days=30")
    page.wait_for_function("() => window.Chart && window.Chart.getChart(document.getElementById('chart-lead'))")
    assert page.evaluate(TICKS, "chart-lead") == ["Placed → paid", "Paid → shipped", "Shipped → delivered (parcels)"]
