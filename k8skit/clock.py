"""The simulated clock: a small discrete-event loop that every component shares.

A real cluster is a set of processes that each wake up on their own timers: the kubelet syncs a
pod, probes a container every ``periodSeconds``, renews its node Lease every 10 s; the node
lifecycle controller checks those leases every 5 s; the scheduler pops its queue. Here they all
ask one :class:`Clock` to call them back at a simulated time, and :meth:`Clock.run` calls them in
order of (time, the order they were asked). Nothing depends on the wall clock, so the same seed
and the same calls always replay the same history, byte for byte.

The design follows simpy's core: a heap of timers and a loop that pops the earliest.
"""

from __future__ import annotations

import contextlib
import gc
import heapq
import itertools
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

# While the clock runs, a full (generation 2) collection of Python's cyclic garbage collector
# waits for this many generation-1 collections instead of the default 10. A cluster keeps
# hundreds of thousands of live objects and makes few reference cycles, so each full collection
# walks everything to free almost nothing, yet a busy minute of a rollout triggers several. The
# user's thresholds are restored when :meth:`Clock.run_until` returns (the collector stays on,
# and any collection it put off happens then), so code outside the simulator is unaffected.
# The ``threshold2`` of https://docs.python.org/3/library/gc.html#gc.set_threshold.
FULL_COLLECTION_THRESHOLD = 1000


@contextlib.contextmanager
def full_collections_deferred() -> Iterator[None]:
    """Put off Python's full garbage collections for the duration of the block (see
    ``FULL_COLLECTION_THRESHOLD``); the user's thresholds come back however the block ends.
    The dashboards wrap each control in it too, so that a collection put off falls after the
    figure was updated rather than in the middle of a click."""
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], max(thresholds[2], FULL_COLLECTION_THRESHOLD))
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


class Timer:
    """A callback waiting for its time; :meth:`cancel` stops it from firing."""

    __slots__ = ("when", "callback", "args", "cancelled")

    def __init__(self, when: float, callback: Callable[..., Any], args: tuple) -> None:
        self.when = when
        self.callback = callback
        self.args = args
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Clock:
    """Simulated time in seconds since the cluster started.

    Most callbacks are due at once (a watch event, a work-queue key): they wait in a plain
    first-in-first-out line, and only those due later go into the heap. The firing order is the
    same as with one heap: by time, then by the order they were asked for.
    """

    def __init__(self) -> None:
        self.now: float = 0.0
        self._heap: list[tuple[float, int, Timer]] = []
        self._due_now: deque[tuple[int, Timer]] = deque()
        self._order = itertools.count()

    def call_at(self, when: float, callback: Callable[..., Any], *args: Any) -> Timer:
        """Call ``callback(*args)`` at simulated time ``when`` (never in the past)."""
        if when <= self.now:
            timer = Timer(self.now, callback, args)
            self._due_now.append((next(self._order), timer))
        else:
            timer = Timer(when, callback, args)
            heapq.heappush(self._heap, (when, next(self._order), timer))
        return timer

    def call_later(self, delay: float, callback: Callable[..., Any], *args: Any) -> Timer:
        """Call ``callback(*args)`` after ``delay`` simulated seconds."""
        return self.call_at(self.now + delay, callback, *args)

    def call_soon(self, callback: Callable[..., Any], *args: Any) -> Timer:
        """Call ``callback(*args)`` at this same instant, after everything already due now."""
        timer = Timer(self.now, callback, args)
        self._due_now.append((next(self._order), timer))
        return timer

    def next_time(self) -> float | None:
        """When the earliest live timer is due, or None when nothing is waiting."""
        while self._due_now and self._due_now[0][1].cancelled:
            self._due_now.popleft()
        if self._due_now:
            return self.now
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def run_until(self, until: float) -> None:
        """Fire every timer due up to and including ``until``, then stop the clock at ``until``."""
        heap, due_now = self._heap, self._due_now
        with full_collections_deferred():
            while True:
                if due_now:
                    # A heap timer for this very instant that was asked for earlier goes first.
                    if heap and heap[0][0] <= self.now and heap[0][1] < due_now[0][0]:
                        timer = heapq.heappop(heap)[2]
                    else:
                        timer = due_now.popleft()[1]
                elif heap and heap[0][0] <= until:
                    when, _, timer = heapq.heappop(heap)
                    if timer.cancelled:
                        continue
                    self.now = when
                else:
                    break
                if not timer.cancelled:
                    timer.callback(*timer.args)
        self.now = max(self.now, until)

    def run(self, seconds: float) -> None:
        """Advance simulated time by ``seconds``."""
        if seconds < 0:
            raise ValueError(f"cannot run the clock backwards ({seconds} s)")
        self.run_until(self.now + seconds)

    def settle(self) -> None:
        """Fire everything due at this instant (watch events, zero-delay work) without advancing."""
        self.run_until(self.now)
