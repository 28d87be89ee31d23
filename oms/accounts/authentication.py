from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


class CachedTokenAuthentication(TokenAuthentication):
    """Token auth that remembers token → user for a short while, sparing a join on every request.

    A revoked token or deactivated user stops working within OMS_TOKEN_CACHE_SECONDS.
    """

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        cache_key = f"auth-token:{key}"
        user = cache.get(cache_key)
        if user is None:
            user, token = super().authenticate_credentials(key)
            cache.set(cache_key, user, settings.TOKEN_CACHE_SECONDS)
            return user, token
        return user, Token(key=key, user=user)
