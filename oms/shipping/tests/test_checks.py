"""Carrier configuration checks: backends load, have secrets, and the simulator stays out of production."""

from __future__ import annotations

from oms.shipping.checks import check_carriers, check_simulator_not_in_production


def ids(errors) -> list[str]:
    return [error.id for error in errors]


def test_the_default_configuration_passes(settings):
    settings.OMS_ENV = "development"
    assert check_carriers(None) == [] and check_simulator_not_in_production(None) == []


def test_a_broken_or_secretless_carrier_is_an_error(settings):
    settings.OMS_CARRIERS = {
        "sim": "oms.shipping.carriers.sim.SimCarrier",
        "ghost": "oms.shipping.carriers.nowhere.Ghost",
        "odd": "oms.shipping.models.Shipment",
    }
    settings.OMS_CARRIER_SECRETS = {"sim": "sim-secret", "odd": "s3cret"}
    assert ids(check_carriers(None)) == ["oms.E020", "oms.E021"]
    settings.OMS_CARRIERS = {"sim": "oms.shipping.carriers.sim.SimCarrier"}
    settings.OMS_CARRIER_SECRETS = {}
    assert ids(check_carriers(None)) == ["oms.E022"]


def test_the_simulator_is_refused_in_production(settings):
    settings.OMS_ENV = "production"
    assert ids(check_simulator_not_in_production(None)) == ["oms.E023"]
    settings.OMS_CARRIERS = {}
    assert check_simulator_not_in_production(None) == []
