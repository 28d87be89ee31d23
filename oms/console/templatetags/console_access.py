from __future__ import annotations

from django import template

from oms.console.access import may_open as _may_open

register = template.Library()


@register.simple_tag(takes_context=True)
def may_open(context: template.Context, url_name: str) -> bool:
    """``{% may_open "console:orders" as ok %}``: whether the signed-in user may open that console page."""
    return _may_open(context["request"].user, url_name)
