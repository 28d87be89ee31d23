"""Names the console gives its own codes: ``{{ action|resolution_label }}`` (retry, cancel, refund of an exception)."""

from __future__ import annotations

from django import template

from oms.console.forms import resolution_label as _resolution_label

register = template.Library()


@register.filter
def resolution_label(code: str) -> str:
    return _resolution_label(code)
