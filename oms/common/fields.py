"""Model fields shared by the domains."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

_ST = TypeVar("_ST", contravariant=True)
_GT = TypeVar("_GT", covariant=True)

if TYPE_CHECKING:
    _CharField = models.CharField
else:

    class _CharField(models.CharField):
        """CharField as the stubs see it: ``CharField[set type, get type]`` (Django's class is not generic)."""

        def __class_getitem__(cls, params: object) -> type:
            return cls


class ExactCharField(_CharField[_ST, _GT]):
    """A CharField that compares exactly, character for character, on every database.

    For identifiers (codes, order numbers, idempotency keys, gateway trade and notification numbers): ``…abc``
    and ``…ABC`` are two keys. PostgreSQL and SQLite compare text exactly already; MySQL/MariaDB compare with the
    database's collation, by default case- and accent-insensitive and ignoring trailing spaces, so there the
    column gets a binary no-pad collation in the schema, whatever collation the database was created with.
    """

    def db_parameters(self, connection: BaseDatabaseWrapper) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "mysql" and not self.db_collation:  # type: ignore[attr-defined]  # set by CharField.__init__; missing from the stubs
            params["collation"] = exact_collation(connection)
        return params


def exact_collation(connection: Any) -> str:
    """The binary, no-pad utf8mb4 collation of this MySQL/MariaDB server."""
    if connection.mysql_is_mariadb:
        return "utf8mb4_nopad_bin"  # MariaDB 10.2 and later
    return "utf8mb4_0900_bin" if connection.mysql_version >= (8, 0, 17) else "utf8mb4_bin"
