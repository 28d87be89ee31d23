from __future__ import annotations

from django import template

from oms.storefront.cart import Cart

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_count(context) -> int:
    request = context.get("request")
    return len(Cart(request.session)) if request is not None and hasattr(request, "session") else 0
