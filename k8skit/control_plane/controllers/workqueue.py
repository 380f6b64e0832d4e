"""The work queue every controller drains: keys to reconcile, each at most once at a time.

Upstream controllers never act inside a watch handler. The handler only puts the object's key
(``namespace/name``) into a work queue (``client-go/util/workqueue``); a worker later takes the
key and reconciles *the whole object* against the world as it is then. Two properties make this
robust and are kept here:

- a key that is already waiting is not added twice, so a burst of a thousand pod events for one
  ReplicaSet costs one sync, not a thousand;
- a failed sync is retried later with exponential back-off (``DefaultControllerRateLimiter``:
  5 ms doubling up to 1000 s), and ``add_after`` schedules a sync for later (how the Deployment
  controller checks its progress deadline and the ReplicaSet controller its minReadySeconds).

Keys are processed on the simulated clock, in the order they were added, in a callback of their
own: the watch events caused by one sync are delivered before the next sync starts.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from k8skit.api.errors import APIError
from k8skit.clock import Clock, Timer

# client-go's DefaultControllerRateLimiter: per-item exponential back-off.
RETRY_BASE_DELAY = 0.005
RETRY_MAX_DELAY = 1000.0


class WorkQueue:
    """Deduplicating, delayed, retrying queue of keys processed by ``sync(key)``."""

    def __init__(self, clock: Clock, sync: Callable[[Hashable], None]) -> None:
        self.clock = clock
        self._sync = sync
        self._dirty: dict[Hashable, None] = {}
        self._drain_timer: Timer | None = None
        self._waiting: dict[Hashable, Timer] = {}
        self._failures: dict[Hashable, int] = {}

    def add(self, key: Hashable) -> None:
        self._dirty[key] = None
        if self._drain_timer is None:
            self._drain_timer = self.clock.call_soon(self._drain)

    def add_after(self, key: Hashable, delay: float) -> None:
        """Add ``key`` after ``delay`` seconds; an earlier pending add for it wins."""
        if delay <= 0:
            self.add(key)
            return
        when = self.clock.now + delay
        pending = self._waiting.get(key)
        if pending is not None and not pending.cancelled and pending.when <= when:
            return
        if pending is not None:
            pending.cancel()
        self._waiting[key] = self.clock.call_at(when, self._fire, key)

    def _fire(self, key: Hashable) -> None:
        self._waiting.pop(key, None)
        self.add(key)

    def _drain(self) -> None:
        self._drain_timer = None
        keys = list(self._dirty)
        self._dirty.clear()
        for key in keys:
            try:
                self._sync(key)
            except APIError:
                # A write refused by the API server (a conflict, a namespace going away):
                # try again later, as a rate-limited requeue does.
                failures = self._failures.get(key, 0)
                self._failures[key] = failures + 1
                self.add_after(key, min(RETRY_BASE_DELAY * 2 ** failures, RETRY_MAX_DELAY))
            else:
                self._failures.pop(key, None)
