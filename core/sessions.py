"""Sessions: kept in the database, read through the shared cache, for at most a minute.

A page then reads its session from Redis instead of the database (one query less on every
page, T7 of PERFORMANCE.md), and nobody is logged out whatever happens to Redis: the database
holds every session.

Why a minute: ending a session ("log out everywhere", an admin ending a user's sessions)
deletes the row and the cached copy. While Redis is unreachable the copy in Redis can not be
deleted (core/cache.py writes to the database instead), and when Redis answers again an ended
session would live on from the copy for as long as it was cached: with Django's own
``cached_db`` sessions until the session's idle limit (30 minutes). Capped at a minute, an ended
session is gone everywhere a minute after it was last cached, whatever Redis did meanwhile.
"""

from typing import Any

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import caches

# How long a session is read from the cache before the database is asked again.
CACHED_SECONDS = 60


class _ShortLived:
    """The shared cache, keeping what is set for at most ``CACHED_SECONDS``."""

    def __init__(self, cache: Any) -> None:
        self._cache = cache

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cache, name)

    def __contains__(self, key: str) -> bool:
        return key in self._cache

    def set(self, key: str, value: Any, timeout: int) -> None:
        self._cache.set(key, value, min(timeout, CACHED_SECONDS))

    async def aset(self, key: str, value: Any, timeout: int) -> None:
        await self._cache.aset(key, value, min(timeout, CACHED_SECONDS))


class SessionStore(cached_db.SessionStore):
    """Django's ``cached_db`` sessions with the cached copy kept for a minute at most."""

    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._cache: Any = _ShortLived(caches[settings.SESSION_CACHE_ALIAS])
