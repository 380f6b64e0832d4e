"""How kubectl shows an age: ``45s``, ``2m30s``, ``10m``, ``5h12m``, ``3d``.

``HumanDuration`` keeps two units while the first is small (``2m30s`` but ``10m``, ``5h12m``
but ``8h``, ``3d4h`` but ``8d``), so an age stays short but precise enough to compare. The
thresholds come from ``staging/src/k8s.io/apimachinery/pkg/util/duration/duration.go``. kubectl
uses it for every AGE column, the RESTARTS ``(41s ago)`` suffix, the LAST SEEN of events and
the ages in ``describe``; the time compared against is the cluster's simulated clock.
"""

from __future__ import annotations

from k8skit.api.meta import seconds_of


def human_duration(seconds: float) -> str:
    """``HumanDuration``: ``119`` -> ``119s``, ``120`` -> ``2m``, ``150`` -> ``2m30s``."""
    whole = int(seconds)
    if whole < -1:
        # Clocks more than a second apart: upstream refuses to guess.
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 60 * 2:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 10:
        rest = whole % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d{rest}h" if rest else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y{days}d" if days else f"{years}y"
    return f"{hours // 24 // 365}y"


def age(timestamp: str | None, now: float) -> str:
    """``translateTimestampSince``: the age of an RFC 3339 timestamp, ``<unknown>`` if unset."""
    if not timestamp:
        return "<unknown>"
    return human_duration(now - seconds_of(timestamp))
