"""Abstract models the domains share."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StatusEvent(models.Model):
    """One row of an append-only status timeline, written by ``oms.common.statemachine``: who moved it, why, when.

    A concrete timeline adds the object it belongs to and its ``from_status``/``to_status`` columns.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]
