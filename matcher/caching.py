"""A small thread-safe cache of the last values built, by key (least recently used first out).

For work a request prepares from what it was asked and can share with the next request that
asks the same (a requirement's explainer, a requirement's JSON): ``functools.lru_cache``
cannot key on an object that is not hashable (a taxonomy), and these callers key on its
identity instead.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Kept(Generic[V]):
    """The last ``size`` values, by key. A value is built outside the lock: two threads
    asking for the same new key may both build it, and the later one is kept."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], V]) -> V:
        with self._lock:
            found = self._values.get(key)
            if found is not None:
                self._values.move_to_end(key)
                return found
        made = build()
        with self._lock:
            self._values[key] = made
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return made

    def __len__(self) -> int:
        return len(self._values)
