"""Short human-readable amounts for tables and figure labels."""

from __future__ import annotations

from k8skit.eras.defaults import MIB_PER_GIB, SECONDS_PER_DAY


def duration(seconds: float) -> str:
    """'45 s', '2.5 min', '3 h', '14 days'."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.3g} min"
    if seconds < 2 * SECONDS_PER_DAY:
        return f"{seconds / 3600:.3g} h"
    return f"{seconds / SECONDS_PER_DAY:.3g} days"


def memory(mib: float) -> str:
    """'512 MiB', '1.5 GiB'."""
    if abs(mib) < MIB_PER_GIB:
        return f"{mib:.0f} MiB"
    return f"{mib / MIB_PER_GIB:.3g} GiB"


def cores(value: float) -> str:
    """'0.002 cores', '1 core', '2.5 cores'."""
    text = f"{value:.3f}".rstrip("0") if 0 < abs(value) < 0.1 else f"{value:.3g}"
    return f"{text} core" + ("" if value == 1 else "s")
