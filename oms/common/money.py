"""Money in one place: how it is added up in SQL and how a person sees it.

Amounts are ``Decimal`` with two places end to end. SQLite keeps decimal columns as REALs, so its ``SUM`` drifts
(``50094.6000000001``); :func:`money_sum` adds whole cents there as integers instead, and answers a two-place
``Decimal`` on every database. :func:`format_money` is the one way an amount is written for people (``¥1,234.50``);
the ``money`` template filter is the same function.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Aggregate, DecimalField, Sum

if TYPE_CHECKING:
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
CURRENCY_SYMBOL = "¥"
# Wide enough for any total of the DecimalField(max_digits=14) amounts the models hold.
SUM_MAX_DIGITS = 20


def to_money(value: Decimal | int | str) -> Decimal:
    """``value`` as a Decimal with exactly two places (half up). Never accepts a float."""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value: Decimal | int | str | None) -> str:
    """``¥1,234.50`` (``-¥5.00`` below zero); ``–`` for no amount."""
    if value is None or value == "":
        return "–"
    amount = to_money(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}{CURRENCY_SYMBOL}{abs(amount):,.2f}"


class MoneySum(Sum):
    """``SUM`` of a money expression, as a two-place Decimal (0.00 when there is nothing to add) on every database.

    On SQLite each value is turned into whole cents (``CAST(ROUND(x * 100) AS INTEGER)``) before it is added, so the
    sum is an exact integer, and the result is scaled back to yuan in Python. Because of that, use it as a result
    (``aggregate``/``annotate``), not inside a bigger SQL expression.
    """

    name = "MoneySum"

    def __init__(self, expression: Any, **extra: Any) -> None:
        extra.setdefault("output_field", DecimalField(max_digits=SUM_MAX_DIGITS, decimal_places=2))
        super().__init__(expression, **extra)

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any) -> _AsSqlType:
        clone = self.copy()
        clone.template = "%(function)s(%(distinct)sCAST(ROUND((%(expressions)s) * 100) AS INTEGER))"
        # Aggregate.as_sql, not Func.as_sqlite: that one would CAST the integer sum AS NUMERIC.
        return Aggregate.as_sql(clone, compiler, connection, **extra_context)

    @property
    def convert_value(self) -> Callable[[Any, Any, Any], Decimal]:
        return _from_sum

    def get_db_converters(self, connection: BaseDatabaseWrapper) -> list[Callable[..., Any]]:
        return [self.convert_value]


def _from_sum(value: Any, expression: Any, connection: Any) -> Decimal:
    if value is None:
        return ZERO
    if connection.vendor == "sqlite":
        return to_money(Decimal(int(value)).scaleb(-2))
    if isinstance(value, float):  # a driver that answers floats: not expected, but never let one through
        value = repr(value)
    return to_money(value)


def money_sum(expression: Any, **extra: Any) -> MoneySum:
    """``money_sum("amount", filter=Q(...))``: the total of a money column or expression, exact to the cent."""
    return MoneySum(expression, **extra)
