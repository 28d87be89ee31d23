"""Database helpers shared by the domains' hottest statements."""

from __future__ import annotations

from django.db import connection
from django.db.backends.utils import CursorWrapper


def prepared_cursor() -> CursorWrapper:
    """A cursor for statements run on every order: PostgreSQL plans them once per connection, not every time.

    On PostgreSQL it binds parameters on the server, so psycopg can prepare a statement once a connection has run
    it ``prepare_threshold`` times (settings: OMS_DB_PREPARE_THRESHOLD). Planning the placement's join and
    inserts cost PostgreSQL more CPU than running them. Django's own cursors bind on the client (one statement
    text per set of values), so nothing else changes. Elsewhere this is the usual cursor.
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]  # missing from the stubs
        ServerBindingCursor,  # importable only with psycopg installed
    )

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        # Django's private step that wraps a driver cursor the way connection.cursor() does (not in the stubs).
        cursor: CursorWrapper = connection._prepare_cursor(ServerBindingCursor(connection.connection))  # type: ignore[attr-defined]
        return cursor
