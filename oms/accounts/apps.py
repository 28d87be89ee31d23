from typing import Any

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


# The handlers import inside: apps.py is imported while the app registry loads, before any model can be (not a
# dodged cycle; the same holds for every app's ready() importing its checks).
def _ensure_groups(sender: Any, **kwargs: Any) -> None:  # noqa: ARG001
    from oms.accounts.services import ensure_staff_groups

    ensure_staff_groups()


def _forget_failures(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:  # noqa: ARG001
    from oms.accounts.throttle import forget_account_failures

    forget_account_failures(username=user.get_username())


class AccountsConfig(AppConfig):
    name = "oms.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Permissions are created app by app after migrate (and this app has no models, so it gets no signal of
        # its own): set the groups up after every app, which is idempotent and cheap, so the last run sees all.
        post_migrate.connect(_ensure_groups, dispatch_uid="oms.accounts.ensure_staff_groups")
        # A log-in through a form (shop or admin) clears the account's failed attempts; the API token endpoint
        # does the same in services.issue_token.
        user_logged_in.connect(_forget_failures, dispatch_uid="oms.accounts.forget_failures")
