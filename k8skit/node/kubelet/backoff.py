"""Exponential back-off per key, as client-go's ``flowcontrol.Backoff``.

The kubelet keeps two of these: one for restarting crashed containers (CrashLoopBackOff) and
one for pulling images (ImagePullBackOff). Both start at 10 s, double on each failure and stop
growing at 300 s (``pkg/kubelet/kubelet.go``: ``backOffPeriod``, ``MaxContainerBackOff``;
``pkg/kubelet/images``: the same numbers for image pulls). An entry that has not been touched for
twice the maximum (10 minutes) is forgotten, which is why a container that has run cleanly for
10 minutes restarts at once again after its next crash.

Source: ``staging/src/k8s.io/client-go/util/flowcontrol/backoff.go``.
"""

from __future__ import annotations

from dataclasses import dataclass

# pkg/kubelet/kubelet.go: the initial and maximum back-off of a crashing container.
INITIAL_BACKOFF_SECONDS = 10.0
MAX_BACKOFF_SECONDS = 300.0


@dataclass
class _Entry:
    backoff: float
    last_update: float


class Backoff:
    """Per-key back-off durations that double from ``initial`` up to ``maximum``."""

    def __init__(self, initial: float = INITIAL_BACKOFF_SECONDS,
                 maximum: float = MAX_BACKOFF_SECONDS) -> None:
        self.initial = initial
        self.maximum = maximum
        self._entries: dict[str, _Entry] = {}

    def get(self, key: str) -> float:
        """The current back-off of ``key`` in seconds (0 when it has none)."""
        entry = self._entries.get(key)
        return entry.backoff if entry else 0.0

    def next(self, key: str, event_time: float) -> None:
        """Record a failure of ``key`` at ``event_time``: start at ``initial`` or double."""
        entry = self._entries.get(key)
        if entry is None or self._expired(event_time, entry):
            self._entries[key] = _Entry(self.initial, event_time)
        else:
            entry.last_update = event_time
            entry.backoff = min(entry.backoff * 2, self.maximum)

    def is_in_backoff_since(self, key: str, event_time: float, now: float) -> bool:
        """Whether, at ``now``, ``key`` is still backing off from an event at ``event_time``.

        The crash-loop check: ``event_time`` is when the container last finished.
        """
        entry = self._entries.get(key)
        if entry is None or self._expired(event_time, entry):
            return False
        return now - event_time < entry.backoff

    def is_in_backoff_since_update(self, key: str, now: float) -> bool:
        """Whether ``key`` is still backing off from its last recorded failure (image pulls)."""
        entry = self._entries.get(key)
        if entry is None or self._expired(now, entry):
            return False
        return now - entry.last_update < entry.backoff

    def until(self, key: str, event_time: float) -> float:
        """When the back-off of ``key`` counted from ``event_time`` ends."""
        return event_time + self.get(key)

    def _expired(self, event_time: float, entry: _Entry) -> bool:
        return event_time - entry.last_update > 2 * self.maximum
