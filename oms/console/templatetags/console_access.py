from __future__ import annotations

from django import template

from oms.console.access import may_open as _may_open

register = template.Library()


@register.simple_tag(takes_context=True)
def may_open(context: template.Context, url_name: str) -> bool:
    """``{% may_open "console:orders" as ok %}``: whether the signed-in user may open that console page.

    The server-error page is drawn without a request (the database may be down): it shows no console menu."""
    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else None
    return user is not None and _may_open(user, url_name)
