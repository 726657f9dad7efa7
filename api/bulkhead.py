"""Keeping one caller from starving the others: per-key quotas and the mapping pool.

**Quotas** (the ``limits`` library, sliding-window counters per API key):

- every request counts against ``rate_limit`` (default 50 a second per key);
- text that is embedded (``POST /v1/map``, an ad text in a requirement or search, ads,
  credentials) counts its characters against ``mapping_rate_limit`` (default 50,000 a
  minute per key). A request over its quota gets 429 with ``Retry-After``.

The counters live in the process (``memory://``): with N server processes a key gets up to
N times the quota. ``MATCHER_RATE_LIMIT_STORAGE`` can name shared storage the ``limits``
library supports (``redis://…``, ``memcached://…``) to make it one quota for all of them.

**The mapping pool** (a bulkhead): embedding text is the service's expensive work (seconds
for a large request, where a search takes milliseconds). It runs in its own
``mapping_threads`` worker threads, not in the request threads, so however many mapping
requests arrive, searches keep every request thread. At most ``mapping_queue`` more wait for
a mapping thread; past that a mapping request gets 503 with ``Retry-After`` at once.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from api.errors import ServiceError, TooManyRequests

T = TypeVar("T")


class ServiceBusy(TooManyRequests):
    """The mapping pool and its queue are full: 503, try again shortly."""

    code, status = "busy", 503


class CheapMemoryStorage(MemoryStorage):
    """``limits``' in-process storage, with its clean-up of expired counters run at most once
    every :attr:`CLEAN_EVERY` seconds.

    ``MemoryStorage`` starts a ``threading.Timer`` (10 ms) on every hit whose previous timer
    has finished: at tens of requests a second per process, a new thread per request. Measured
    with py-spy on a search: about a fifth of the request's CPU went to starting those threads
    and waiting for them to start. The counters do not need the timer to be right (a counter
    past its expiry is dropped when read); it only frees counters nobody reads again, which
    once a second does as well.
    """

    CLEAN_EVERY = 1.0

    def __init__(self) -> None:
        self._cleaned = 0.0
        super().__init__()

    # The name limits' own methods call (MemoryStorage.__schedule_expiry, name-mangled).
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now - self._cleaned < self.CLEAN_EVERY or self.timer.is_alive():
            return
        self._cleaned = now
        self.timer = threading.Timer(
            0.01, self._MemoryStorage__expire_events)  # type: ignore[attr-defined]
        self.timer.daemon = True
        self.timer.start()


class Quotas:
    """Per-key request and mapping quotas."""

    def __init__(self, rate_limit: str, mapping_rate_limit: str,
                 storage: str = "memory://") -> None:
        try:
            self.requests: RateLimitItem = parse(rate_limit)
            self.mapping: RateLimitItem = parse(mapping_rate_limit)
        except ValueError as exc:
            raise ServiceError(f"a rate limit is not valid ({exc}); write it as "
                               "'50/second' or '50000/minute'") from None
        backend = (CheapMemoryStorage() if storage.strip() == "memory://"
                   else storage_from_string(storage))
        self._limiter = SlidingWindowCounterRateLimiter(backend)

    def _hit(self, item: RateLimitItem, kind: str, key_id: int, cost: int, what: str) -> None:
        cost = max(1, min(cost, item.amount))  # one request may always use a whole window
        if self._limiter.hit(item, kind, str(key_id), cost=cost):
            return
        stats = self._limiter.get_window_stats(item, kind, str(key_id))
        retry = math.ceil(max(1.0, stats.reset_time - time.time()))
        raise TooManyRequests(f"this key is over its quota of {item.amount:,} {what} per "
                              f"{item.GRANULARITY.name}; try again in {retry} s", retry)

    def request(self, key_id: int) -> None:
        """Count one request of this key (429 when over ``rate_limit``)."""
        self._hit(self.requests, "requests", key_id, 1, "requests")

    def mapping_chars(self, key_id: int, chars: int) -> None:
        """Count ``chars`` characters of text to embed (429 when over ``mapping_rate_limit``)."""
        self._hit(self.mapping, "mapping", key_id, chars, "characters of mapped text")


class MappingPool:
    """A bounded pool of worker threads for mapping, apart from the request threads."""

    def __init__(self, threads: int, queue: int) -> None:
        self.threads = threads
        self.capacity = threads + queue
        self._limiter = anyio.CapacityLimiter(threads)
        self.active = 0  # running or waiting; only touched on the event loop

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self.active >= self.capacity:
            raise ServiceBusy(f"the service is mapping {self.active} requests already (at most "
                              f"{self.threads} at a time and {self.capacity - self.threads} "
                              "waiting); try again shortly", retry_after=5)
        self.active += 1
        try:
            return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs),
                                                  limiter=self._limiter)
        finally:
            self.active -= 1
