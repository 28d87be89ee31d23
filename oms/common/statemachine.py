"""One kit for every state machine: a transition table, one function that moves an object, one error.

Each domain keeps its table in its ``states.py`` (a ``TransitionTable``: state -> the states it may become) and its
machine in its ``transitions.py`` (a ``StateMachine``: the model, the table, how its event row is written).
Only this module assigns a machine's status field. ``apply_transition`` checks the table, runs the caller's side
effects, saves the new status with the fields the caller set, and writes the event row, inside the caller's
transaction on a row the caller has locked (``StateMachine.lock``, or the domain's own lock helper when other rows
come first, e.g. the order row before a payment row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.common.errors import Conflict, ErrorCode

if TYPE_CHECKING:  # imported by models modules, while the app registry is still loading
    from django.contrib.auth.models import User

M = TypeVar("M", bound=models.Model)


class InvalidTransition(Conflict):
    """A move the table forbids: ``409 invalid_transition`` with the current and the requested state.

    Domains subclass it only to name their object in the message (or, for returns, to keep their own code).
    """

    code = ErrorCode.INVALID_TRANSITION
    # Translatable (gettext_lazy) in each domain's subclass: the message reads in the request's language.
    subject: str | Promise = gettext_lazy("An object")

    def __init__(self, *, current: str, target: str, message: str | None = None) -> None:
        super().__init__(
            message
            or _("%(subject)s in state '%(current)s' cannot become '%(target)s'.")
            % {"subject": self.subject, "current": current, "target": target},
            details={"current_status": current, "requested_status": target},
        )
        self.current = current
        self.target = target


class TransitionTable(Mapping[str, frozenset[str]]):
    """Every legal move of one machine: state -> the states it may become (a final state maps to nothing).

    Checked when built: each state of ``states`` has an entry, and only states appear.
    """

    def __init__(self, states: type[models.TextChoices], moves: Mapping[str, Iterable[str]]) -> None:
        self.states = states
        self._moves = {
            states(state): frozenset(states(target) for target in targets) for state, targets in moves.items()
        }
        missing = set(states) - set(self._moves)
        if missing:
            raise ValueError(f"{states.__name__}: no entry for {sorted(missing)}")

    def allows(self, current: str, target: str) -> bool:
        return self.states(target) in self._moves[self.states(current)]

    def __getitem__(self, state: str) -> frozenset[str]:
        return self._moves[self.states(state)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._moves)

    def __len__(self) -> int:
        return len(self._moves)


class EventWriter(Protocol):
    """Writes one event row of ``obj`` (``from_status`` -> the object's status now; equal for a note), returns it."""

    def __call__(self, obj: Any, /, *, from_status: str, actor: User | None, reason: str, at: datetime) -> Any: ...


@dataclass(frozen=True, eq=False)
class StateMachine(Generic[M]):
    model: type[M]
    table: TransitionTable
    write_event: EventWriter
    error: type[InvalidTransition] = InvalidTransition
    # The refusal message for one object (e.g. naming a purchase order's number); else the error's own message.
    describe: Callable[[M, str, str], str] | None = None
    status_field: str = "status"
    # Fields the model stamps on every save (auto_now): saved along with each move.
    stamped: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        stamped = tuple(f.name for f in self.model._meta.concrete_fields if getattr(f, "auto_now", False))
        object.__setattr__(self, "stamped", stamped)
        MACHINES.append(self)

    def allows(self, current: str, target: str) -> bool:
        return self.table.allows(current, target)

    def check(self, obj: M, to: str, *, allowed_from: Iterable[str] | None = None, message: str | None = None) -> None:
        """Raise the machine's InvalidTransition unless ``obj`` may move to ``to`` (and is in ``allowed_from``,
        a narrower set for one caller, e.g. what a customer may cancel)."""
        current = self.table.states(getattr(obj, self.status_field))
        if not self.allows(current, to) or (allowed_from is not None and current not in allowed_from):
            if message is None and self.describe is not None:
                message = self.describe(obj, current, to)
            raise self.error(current=current, target=to, message=message)

    def lock(self, pk: int) -> M:
        """The object's row, locked; call inside a transaction."""
        return self.model._default_manager.select_for_update().get(pk=pk)


# Every machine built, so a test can check that each stateful model has one and nothing else writes its status.
MACHINES: list[StateMachine[Any]] = []


def apply_transition(
    machine: StateMachine[M],
    obj: M,
    *,
    to: str,
    actor: User | None,
    reason: str,
    fields: Iterable[str] = (),
    allowed_from: Iterable[str] | None = None,
    side_effects: Callable[[M, str], None] | None = None,
    at: datetime | None = None,
) -> M:
    """Move ``obj`` to ``to``, save it with ``fields`` the caller set on it, and write its event row.

    The caller holds ``obj``'s row lock inside a transaction. ``side_effects(obj, current)`` runs after the check and
    before anything is saved, so a side effect that raises leaves the object as it was. ``at`` is the event's time
    (default now). Raises the machine's InvalidTransition.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{machine.model.__name__} status changes run inside a transaction, on a locked row.")
    current = getattr(obj, machine.status_field)
    machine.check(obj, to, allowed_from=allowed_from)
    if side_effects is not None:
        side_effects(obj, machine.table.states(current))
    setattr(obj, machine.status_field, to)
    obj.save(update_fields=[machine.status_field, *fields, *machine.stamped])
    machine.write_event(obj, from_status=current, actor=actor, reason=reason, at=at or timezone.now())
    return obj


def record_event(
    machine: StateMachine[M],
    obj: M,
    *,
    actor: User | None,
    reason: str,
    from_status: str | None = None,
    at: datetime | None = None,
) -> Any:
    """Write and return an event row that moves nothing: a note (``from_status`` omitted: from the current status
    to itself) or the first row of a new object (``from_status=""``). The caller holds the row lock, or just
    created the row."""
    current = getattr(obj, machine.status_field)
    return machine.write_event(
        obj,
        from_status=current if from_status is None else from_status,
        actor=actor,
        reason=reason,
        at=at or timezone.now(),
    )
