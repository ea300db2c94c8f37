"""The shared cache: Redis, and the database while Redis is unreachable.

What the cache holds here is small but matters: the login rate limits (failed logins per
account and per address), the two-factor codes already used, the once-per-form guards of the
SIP pages and the accessibility report budget; and, to spare every page two queries, each
user's memberships (keyed by the user's access stamp, so an entry is never wrong, only unused:
organisations/access_stamp.py) and unread-notification count (forgotten at each change, kept
at most a minute), and the follow-up's computed dashboards (keyed by the municipalities'
follow-up stamps, so an entry is never wrong either: followup/cached.py). Sessions are in the
database, so nobody is logged out whatever happens to
Redis; the cache holds a copy for a minute, so that a page does not read its session from the
database (core/sessions.py).

When Redis does not answer (refused, timed out), each operation goes to a table in the
database instead (``core_cache_fallback``, Django's database cache), so the limits and guards
stay *shared between the app processes*: an attacker gains nothing from Redis being down, and
a double click on two processes still makes one record. The alternatives were worse: failing
closed would lock everybody out of the login page; failing open would lift the rate limits;
a cache per process would multiply the limits by the number of processes.

After a failure Redis is left alone for ``RETRY_SECONDS`` (no connection timeout on every
request); then it is tried again, and used again as soon as it answers. Counts made in the
database during the outage are not carried back: at each switch a rate limit starts from zero
once. A warning is logged at most once a minute per process, without the Redis address (it
may hold a password). See docs/backup.md, "When Redis is gone".
"""

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

FALLBACK_TABLE = "core_cache_fallback"
FALLBACK_MAX_ENTRIES = 1_000_000
RETRY_SECONDS = 10.0
WARNING_INTERVAL_SECONDS = 60.0
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class _Outage:
    """Per process and Redis address (the cache objects themselves are per thread): until when
    Redis is left alone, and when the last warning was logged."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.warned_at = -WARNING_INTERVAL_SECONDS

    def is_down(self) -> bool:
        return time.monotonic() < self.down_until

    def went_down(self, error: Exception) -> None:
        now = time.monotonic()
        with self.lock:
            self.down_until = now + RETRY_SECONDS
            warn = now - self.warned_at >= WARNING_INTERVAL_SECONDS
            if warn:
                self.warned_at = now
        if warn:
            logger.warning(
                "Redis is unreachable (%s): the cache uses the database until it answers again.",
                type(error).__name__,
            )


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


def _delegated(name: str) -> Any:
    def method(self: "FallbackRedisCache", *args: Any, **kwargs: Any) -> Any:
        return self._call(name, *args, **kwargs)

    method.__name__ = name
    return method


class _KeptClient(RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool. Django makes a
    new one for every operation, and redis-py copies its table of ~170 response callbacks into
    each: ~0.3 ms, three times on every page (the session, the memberships, the unread count).
    A ``redis.Redis`` is safe to share, and the connections are the pool's as before."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:  # noqa: ARG002 - Django passes it
        django_client: Any = self  # its pool helpers are not in the type stubs
        index = django_client._get_connection_pool_index(write)
        client = self._kept.get(index)
        if client is None:
            pool = django_client._get_connection_pool(write)
            client = self._kept[index] = django_client._client(connection_pool=pool)
        return client


class FallbackRedisCache(RedisCache):
    """Django's Redis cache that uses the database cache while Redis is unreachable."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _KeptClient
        fallback_params = {key: value for key, value in params.items() if key != "OPTIONS"}
        # Django's database cache deletes a third of its rows beyond 300 entries: rate-limit
        # counts must not vanish like that while the database stands in for Redis.
        fallback_params["OPTIONS"] = {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES}
        self.fallback = DatabaseCache(FALLBACK_TABLE, fallback_params)
        self.outage = _outage_for(server)

    def degraded(self) -> bool:
        """Whether the database stands in for Redis just now (for the metrics and tests)."""
        return self.outage.is_down()

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self.outage.is_down():
            try:
                result = getattr(RedisCache, name)(self, *args, **kwargs)
            except _UNREACHABLE as error:
                self.outage.went_down(error)
            else:
                return result
        return getattr(self.fallback, name)(*args, **kwargs)

    add = _delegated("add")
    get = _delegated("get")
    set = _delegated("set")
    touch = _delegated("touch")
    delete = _delegated("delete")
    get_many = _delegated("get_many")
    has_key = _delegated("has_key")
    incr = _delegated("incr")
    set_many = _delegated("set_many")
    delete_many = _delegated("delete_many")
    clear = _delegated("clear")
