"""Small helpers for messages people read, shared by the domains.

English messages name a status by its code (``Order X is shipped.``), as they always have and the API's clients
may rely on; in any other language a message names it by its label (``已发货``), since a code means nothing there.
"""

from __future__ import annotations

from django.db.models import TextChoices
from django.utils.translation import get_language


def state_name(states: type[TextChoices], value: str) -> str:
    """How a message names ``value`` of ``states`` in the active language: the code in English, else the label."""
    language = get_language() or "en"
    if language == "en" or language.startswith("en-"):
        return str(value)
    try:
        return str(states(value).label)
    except ValueError:
        return str(value)
