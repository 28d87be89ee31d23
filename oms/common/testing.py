"""Test support shared by the domains' tests: real threads against the real database, and checks of rendered HTML."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from django.db import connection

THREAD_TIMEOUT_SECONDS = 120


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None


def run_together(workers: list[Callable[[], Any]]) -> list[Outcome]:
    """Run each worker in its own thread (own database connection), all released at once by a barrier; return
    what each returned or raised. Fails if a worker hangs (a deadlock or an endless lock wait).
    """
    barrier = threading.Barrier(len(workers))
    outcomes = [Outcome() for _ in workers]

    def run(outcome: Outcome, work: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=THREAD_TIMEOUT_SECONDS)
            outcome.value = work()
        except BaseException as exc:  # noqa: BLE001 - reported by the test, never swallowed
            outcome.error = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(o, w), daemon=True) for o, w in zip(outcomes, workers, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a worker hung (deadlock or lock wait?)"
    return outcomes


def assert_only(outcomes: list[Outcome], *allowed: type[BaseException]) -> None:
    """Re-raise the first error a worker was not allowed to raise (so the test shows its real traceback)."""
    errors = [o.error for o in outcomes if o.error is not None and not isinstance(o.error, allowed)]
    if errors:
        kinds = sorted({f"{type(e).__name__}: {e}" for e in errors})
        errors[0].add_note(f"{len(errors)} of {len(outcomes)} workers raised unexpectedly: {kinds}")
        raise errors[0]


def results_of(outcomes: list[Outcome]) -> list[Any]:
    """The workers' return values, re-raising the first error any of them raised."""
    assert_only(outcomes)
    return [outcome.value for outcome in outcomes]


class _FormScanner(HTMLParser):
    """Collects, per form, its method, whether it holds a CSRF token and the ``formmethod`` of its buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._open: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._open = {
                "id": attributes.get("id") or attributes.get("action", ""),
                "method": attributes.get("method", "get").lower(),
                "csrf": False,
                "button_methods": [],
            }
            self.forms.append(self._open)
        elif self._open is not None and tag == "input" and attributes.get("name") == "csrfmiddlewaretoken":
            self._open["csrf"] = True
        elif self._open is not None and tag in {"button", "input"} and "formmethod" in attributes:
            self._open["button_methods"].append(attributes["formmethod"].lower())

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None


def csrf_token_in_get_forms(html: str) -> list[str]:
    """The forms of a page that would send the CSRF token in a URL: a GET form (or a ``formmethod="get"``
    button of a form) that holds ``csrfmiddlewaretoken``. The token belongs in POST bodies only."""
    scanner = _FormScanner()
    scanner.feed(html)
    return [
        form["id"]
        for form in scanner.forms
        if form["csrf"] and (form["method"] == "get" or "get" in form["button_methods"])
    ]
