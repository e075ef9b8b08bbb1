"""One cache for what never changes once published: a questionnaire's parsed definition, its
scoring specs and compiled scoring models are fixed by the definition's content hash."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ContentHashCache(Generic[K, V]):
    """Values built once per key (a content hash, or a tuple that starts with one), kept for the
    `maxsize` most recently used keys. Building runs outside the lock: two threads may build the
    same value once each, and either result is the same."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = Lock()

    def peek(self, key: K) -> V | None:
        """The value if it was built already; never builds."""
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def get(self, key: K, build: Callable[[], V]) -> V:
        value = self.peek(key)
        if value is None:
            value = build()
            with self._lock:
                self._values[key] = value
                if len(self._values) > self.maxsize:
                    self._values.popitem(last=False)
        return value
