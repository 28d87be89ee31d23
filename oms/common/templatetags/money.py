"""``{% load money %}{{ amount|money }}``: amounts as ``¥1,234.50``, the same as :func:`oms.common.money.format_money`."""

from __future__ import annotations

from django import template

from oms.common.money import format_money

register = template.Library()
register.filter("money", format_money)
