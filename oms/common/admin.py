"""Admin pieces shared by the domains."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from oms.common.money import format_money

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent and never edited there (lines, timelines). They have no admin rights of
    their own: whoever may see the parent (``parent_view_permission``) sees them.
    """

    extra = 0
    max_num = 0
    can_delete = False
    parent_view_permission = ""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(self.parent_view_permission)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def money_column(field: str, description: StrOrPromise) -> Callable[[Any], str]:
    """A list column showing the money field ``field`` as ``¥1,234.50`` (sortable by the field)."""

    @admin.display(description=description, ordering=field)
    def column(obj: Any) -> str:
        return format_money(getattr(obj, field))

    column.__name__ = f"{field}_shown"
    return column
