from django.apps import AppConfig


class SandboxConfig(AppConfig):
    name = "oms.sandbox"
    label = "sandbox"
    verbose_name = "Payment sandbox"

    def ready(self) -> None:
        from oms.sandbox import checks  # noqa: F401  (registers the system check refusing production)
