"""Shipping test fixtures: the public base URL the simulator posts to, and the sim carrier's settings."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _shipping_settings(settings):
    settings.OMS_PUBLIC_BASE_URL = "http://testserver"
    settings.OMS_CARRIERS = {"sim": "oms.shipping.carriers.sim.SimCarrier"}
    settings.OMS_CARRIER_SECRETS = {"sim": "sim-secret"}
    settings.OMS_CARRIER_SIM_STEP_SECONDS = 60
    settings.OMS_AUTO_COMPLETE_DAYS = 10
