"""Model fields shared by the domains."""

from __future__ import annotations

from typing import Any

from django.db import models


class ExactCharField(models.CharField):
    """A CharField that compares exactly, character for character, on every database.

    For identifiers (codes, order numbers, idempotency keys, gateway trade and notification numbers): ``…abc``
    and ``…ABC`` are two keys. PostgreSQL and SQLite compare text exactly already; MySQL/MariaDB compare with the
    database's collation, by default case- and accent-insensitive and ignoring trailing spaces, so there the
    column gets a binary no-pad collation in the schema, whatever collation the database was created with.
    """

    def db_parameters(self, connection) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "mysql" and not self.db_collation:
            params["collation"] = exact_collation(connection)
        return params


def exact_collation(connection) -> str:
    """The binary, no-pad utf8mb4 collation of this MySQL/MariaDB server."""
    if connection.mysql_is_mariadb:
        return "utf8mb4_nopad_bin"  # MariaDB 10.2 and later
    return "utf8mb4_0900_bin" if connection.mysql_version >= (8, 0, 17) else "utf8mb4_bin"
