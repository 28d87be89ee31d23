"""Validators shared by the API's serializers and the web forms (DRF turns Django's ValidationError into a 400)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FIRST_YEAR, LAST_YEAR = 1900, 9998


def filter_date(value: date) -> None:
    """A date that bounds a search: years 1900–9998, so turning it into the start of a day in the shop's time zone
    (and UTC), or stepping a day past it, never leaves the calendar (year 1 or 9999 did, as a 500)."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"value": value, "first": FIRST_YEAR, "last": LAST_YEAR},
        )
