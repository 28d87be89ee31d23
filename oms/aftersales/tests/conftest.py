"""After-sales test fixtures: the sim carrier delivers the parcels, and the return window is 7 days."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _aftersales_settings(settings):
    settings.OMS_PUBLIC_BASE_URL = "http://testserver"
    settings.OMS_CARRIERS = {"sim": "oms.shipping.carriers.sim.SimCarrier"}
    settings.OMS_CARRIER_SECRETS = {"sim": "sim-secret"}
    settings.OMS_RETURN_WINDOW_DAYS = 7


@pytest.fixture
def other_customer(db):
    from oms.accounts.tests.factories import UserFactory

    return UserFactory(username="bob")
