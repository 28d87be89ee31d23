"""Telling a database that cannot be reached (down, restarting, refusing connections) from a bug.

Such an error says nothing about the request: it is answered ``503 service_unavailable`` with ``Retry-After``, by
the API's exception handler (oms.common.api) and, for every other view, by DatabaseUnavailableMiddleware.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

RETRY_AFTER_SECONDS = 5
# MySQL/MariaDB client and server error numbers meaning "no usable connection": cannot connect (2002, 2003),
# server gone or connection lost (2006, 2013, 2055), too many connections (1040), shutting down (1053), closed
# for inactivity (4031).
_MYSQL_CONNECTION_ERRORS = frozenset({1040, 1053, 2002, 2003, 2006, 2013, 2055, 4031})
# PostgreSQL SQLSTATEs: class 08 (connection exception), and the server shutting down or starting (57P01-57P03).
_POSTGRES_CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")
_SQLITE_CONNECTION_MESSAGES = ("unable to open database file",)


def is_database_unavailable(exc: BaseException) -> bool:
    """True for a Django database error that comes from having no usable connection, not from the statement."""
    if isinstance(exc, InterfaceError):
        return True  # e.g. "connection already closed"
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__ or exc
    module = type(cause).__module__
    if module.startswith("psycopg"):
        state = getattr(getattr(cause, "diag", None), "sqlstate", None) or getattr(cause, "sqlstate", None)
        # Without a SQLSTATE the failure is the client's: refused, reset, server closed the connection.
        return state is None or state.startswith(_POSTGRES_CONNECTION_STATES)
    if module.startswith("MySQLdb"):
        return bool(cause.args) and cause.args[0] in _MYSQL_CONNECTION_ERRORS
    return str(cause).startswith(_SQLITE_CONNECTION_MESSAGES)
