"""INSERTs of unsaved model instances as parts of one PostgreSQL ``WITH`` statement.

Several related inserts (an order, its lines, its first event) cost one round trip instead of one each, and none of
Django's per-insert compilation. Values go through the same field methods Django's own insert uses
(``pre_save`` then ``get_db_prep_save``), so defaults, ``auto_now`` and JSON behave exactly as with ``save()``.
A child row names its parent by the parent's CTE: ``(SELECT id FROM <cte>)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Model


@dataclass
class InsertCte:
    name: str
    objs: Sequence[Model]
    parents: dict[str, tuple[str, Model]] = field(default_factory=dict)  # FK attname -> (parent CTE, parent)

    def sql(self) -> tuple[str, list[Any]]:
        """``name AS (INSERT INTO … VALUES … RETURNING id)`` and its parameters."""
        opts = type(self.objs[0])._meta
        qn = connection.ops.quote_name
        fields = [f for f in opts.concrete_fields if not f.primary_key]
        rows, params = [], []
        for obj in self.objs:
            values = []
            for f in fields:
                if f.attname in self.parents:
                    values.append(f"(SELECT {qn(opts.pk.column)} FROM {self.parents[f.attname][0]})")
                else:
                    values.append("%s")
                    params.append(f.get_db_prep_save(f.pre_save(obj, True), connection))
            rows.append(f"({', '.join(values)})")
        columns = ", ".join(qn(f.column) for f in fields)
        sql = (
            f"{self.name} AS (INSERT INTO {qn(opts.db_table)} ({columns}) VALUES {', '.join(rows)} "
            f"RETURNING {qn(opts.pk.column)})"
        )
        return sql, params

    def ids_sql(self) -> str:
        """An array of the new ids in insertion order (ids come from a sequence, drawn row by row)."""
        pk = connection.ops.quote_name(type(self.objs[0])._meta.pk.column)
        return f"ARRAY(SELECT {pk} FROM {self.name} ORDER BY 1)"

    def saved(self, ids: Sequence[int]) -> None:
        """Mark the instances as saved with their new ids, and point their FKs at the saved parents."""
        for obj, pk in zip(self.objs, ids, strict=True):
            obj.pk = pk
            for attname, (_, parent) in self.parents.items():
                setattr(obj, attname, parent.pk)
            obj._state.adding = False
            obj._state.db = connection.alias
