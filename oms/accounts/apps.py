from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_groups(sender, **kwargs) -> None:  # noqa: ARG001
    from oms.accounts.services import ensure_staff_groups

    ensure_staff_groups()


class AccountsConfig(AppConfig):
    name = "oms.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Permissions exist only after migrate has run, so the groups are set up right after it.
        post_migrate.connect(_ensure_groups, sender=self)
