"""The scheduling queue: which pending pod the scheduler tries next, and when to try again.

Source: ``pkg/scheduler/backend/queue/scheduling_queue.go`` (PriorityQueue). Three places:

- the **active queue**: pods ready to be tried, highest ``spec.priority`` first, then oldest
  (the PrioritySort plugin);
- the **backoff queue**: pods that failed recently and wait 1 s, 2 s, 4 s, 8 s, then 10 s
  (``podInitialBackoffDuration`` 1 s, doubling, ``podMaxBackoffDuration`` 10 s) before the
  next try, so one pod that never fits cannot keep the scheduler busy;
- the **unschedulable pods**: pods that fit nowhere. They wait for a change in the cluster that
  could help (a node added or changed, a pod deleted) and otherwise are retried after at most
  5 minutes (``podMaxInUnschedulablePodsDuration``).

Upstream checks the backoff queue every second and the unschedulable pods every 30 seconds; the
simulator sets a timer at the exact moment instead, which changes nothing a learner can see but
keeps idle clusters free of ticking timers.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass

from k8skit.clock import Clock, Timer
from k8skit.control_plane.scheduler.pod_info import PodInfo

INITIAL_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 10.0
MAX_IN_UNSCHEDULABLE_SECONDS = 300.0

ACTIVE, BACKOFF, UNSCHEDULABLE, IN_FLIGHT = "active", "backoff", "unschedulable", "in-flight"


@dataclass
class QueuedPodInfo:
    """A pending pod with its queue bookkeeping (framework.QueuedPodInfo)."""

    info: PodInfo
    timestamp: float          # when it was added, or when its last attempt failed
    attempts: int = 0
    where: str = ACTIVE
    timer: Timer | None = None
    ticket: int = 0           # invalidates stale entries of the active heap

    def backoff_expiry(self) -> float:
        """timestamp + 1 s * 2^(attempts-1), at most 10 s (calculateBackoffDuration)."""
        if self.attempts == 0:
            return self.timestamp
        duration = INITIAL_BACKOFF_SECONDS
        for _ in range(1, self.attempts):
            if duration > MAX_BACKOFF_SECONDS - duration:
                return self.timestamp + MAX_BACKOFF_SECONDS
            duration += duration
        return self.timestamp + duration


class SchedulingQueue:
    """Pending pods by uid, in the active queue, the backoff queue or the unschedulable pods."""

    def __init__(self, clock: Clock, on_active: Callable[[], None]) -> None:
        self.clock = clock
        self._on_active = on_active
        self._pods: dict[str, QueuedPodInfo] = {}
        self._heap: list[tuple[int, float, int, str]] = []
        self._order = itertools.count()

    def __len__(self) -> int:
        return len(self._pods)

    def __contains__(self, uid: str) -> bool:
        return uid in self._pods

    def where(self, uid: str) -> str | None:
        queued = self._pods.get(uid)
        return None if queued is None else queued.where

    def pending(self, where: str) -> list[PodInfo]:
        """The pods waiting in one place (ACTIVE, BACKOFF or UNSCHEDULABLE)."""
        return [q.info for q in self._pods.values() if q.where == where]

    # -- informer side ------------------------------------------------------------------------
    def add(self, info: PodInfo) -> None:
        """A new pending pod: straight to the active queue."""
        if info.uid in self._pods:
            self.update(info, changed=True)
            return
        queued = self._pods[info.uid] = QueuedPodInfo(info, self.clock.now)
        self._activate(queued)

    def update(self, info: PodInfo, changed: bool) -> None:
        """A pending pod changed. Only a change to its spec or metadata (not to its status,
        which the scheduler itself writes) can make an unschedulable pod fit, so only that
        moves it on (isPodUpdated)."""
        queued = self._pods.get(info.uid)
        if queued is None:
            self.add(info)
            return
        queued.info = info
        if changed and queued.where == UNSCHEDULABLE:
            self._move_on(queued)

    def delete(self, uid: str) -> None:
        queued = self._pods.pop(uid, None)
        if queued is not None and queued.timer is not None:
            queued.timer.cancel()

    def move_all_to_active_or_backoff(self) -> None:
        """Something changed that may help the unschedulable pods (MoveAllToActiveOrBackoffQueue):
        those still backing off go to the backoff queue, the others become active."""
        for queued in list(self._pods.values()):
            if queued.where == UNSCHEDULABLE:
                self._move_on(queued)

    # -- scheduler side -----------------------------------------------------------------------
    def pop(self) -> QueuedPodInfo | None:
        """The next pod to try, or None. The pod stays known to the queue ("in flight") until
        the scheduler reports the attempt failed or the pod is bound."""
        while self._heap:
            _, _, ticket, uid = heapq.heappop(self._heap)
            queued = self._pods.get(uid)
            if queued is not None and queued.where == ACTIVE and queued.ticket == ticket:
                queued.where = IN_FLIGHT
                queued.attempts += 1
                return queued
        return None

    def has_active(self) -> bool:
        """Whether a pod may be waiting in the active queue (stale heap entries are skipped
        by :meth:`pop`)."""
        return bool(self._heap)

    def done(self, uid: str) -> None:
        """The pod was scheduled: it leaves the queue."""
        self.delete(uid)

    def add_unschedulable(self, queued: QueuedPodInfo) -> None:
        """The attempt failed: wait for a cluster change, or 5 minutes at most."""
        if self._pods.get(queued.info.uid) is not queued:
            return  # deleted or replaced while in flight
        queued.timestamp = self.clock.now
        queued.where = UNSCHEDULABLE
        self._set_timer(queued, queued.timestamp + MAX_IN_UNSCHEDULABLE_SECONDS, self._move_on)

    def requeue_after_error(self, queued: QueuedPodInfo) -> None:
        """The binding failed: try again after the back-off."""
        if self._pods.get(queued.info.uid) is not queued:
            self._pods[queued.info.uid] = queued
        queued.timestamp = self.clock.now
        self._to_backoff(queued)

    # -- moves --------------------------------------------------------------------------------
    def _move_on(self, queued: QueuedPodInfo) -> None:
        if self._pods.get(queued.info.uid) is not queued or queued.where != UNSCHEDULABLE:
            return
        if queued.backoff_expiry() > self.clock.now:
            self._to_backoff(queued)
        else:
            self._activate(queued)

    def _to_backoff(self, queued: QueuedPodInfo) -> None:
        queued.where = BACKOFF
        self._set_timer(queued, queued.backoff_expiry(), self._backoff_done)

    def _backoff_done(self, queued: QueuedPodInfo) -> None:
        if self._pods.get(queued.info.uid) is queued and queued.where == BACKOFF:
            self._activate(queued)

    def _activate(self, queued: QueuedPodInfo) -> None:
        if queued.timer is not None:
            queued.timer.cancel()
            queued.timer = None
        queued.where = ACTIVE
        queued.ticket = next(self._order)
        heapq.heappush(self._heap, (-queued.info.priority, queued.timestamp, queued.ticket,
                                    queued.info.uid))
        self._on_active()

    def _set_timer(self, queued: QueuedPodInfo, when: float, action) -> None:
        if queued.timer is not None:
            queued.timer.cancel()
        queued.timer = self.clock.call_at(when, action, queued)
