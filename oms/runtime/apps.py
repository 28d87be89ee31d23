from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    """How the system is run and shown: ``oms up``, ``serve``, ``worker``, ``beat`` and ``demo`` (with the demo
    data). Above every other app: it starts them all, and nothing imports it."""

    name = "oms.runtime"
    label = "runtime"
