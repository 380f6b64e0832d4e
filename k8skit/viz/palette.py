"""The course's one colour palette: colour-blind-safe, with a stable colour per app.

The colours are Okabe and Ito's "Color Universal Design" set (Okabe & Ito, 2008,
jfly.uni-koeln.de/color/), chosen to stay distinguishable with the common forms of colour
blindness. Every figure of the course takes its colours from here, so that ``web`` has the same
colour in every chapter and a failed pod is the same red everywhere.

- ``color_for(name)``: the colour of an app (or any named thing), the same in every figure
  and every session (derived from the name, not from the order things were drawn).
- ``colors_for(names)``: colours for everything in one figure: each name keeps its own colour
  unless two names would share one, then the later name (in sorted order) takes the next free
  colour.
- ``status_color(status)``: the colour of a state ("ok", "warning", "error", "neutral"), also
  accepting Kubernetes' own words ("Running", "Pending", "CrashLoopBackOff", ...).
- ``with_alpha(color, alpha)``: the same colour, translucent (for filled areas).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#999999"
LIGHT_GREY = "#DDDDDD"

OKABE_ITO = (BLACK, ORANGE, SKY_BLUE, BLUISH_GREEN, YELLOW, BLUE, VERMILLION, REDDISH_PURPLE)
"""The eight colours in the order Okabe and Ito list them."""

PALETTE = (BLUE, ORANGE, BLUISH_GREEN, REDDISH_PURPLE, SKY_BLUE, VERMILLION, YELLOW)
"""Colours for named things (apps, pods, nodes). Black is kept for text, marks and outlines;
yellow comes last because thin yellow lines are hard to see on white."""

STATUS_COLORS = {
    "ok": BLUISH_GREEN,
    "warning": ORANGE,
    "error": VERMILLION,
    "neutral": GREY,
}
"""The colour of each state level."""

_STATUS_LEVELS = {
    "running": "ok",
    "ready": "ok",
    "succeeded": "ok",
    "completed": "ok",
    "available": "ok",
    "pending": "warning",
    "containercreating": "warning",
    "terminating": "warning",
    "notready": "warning",
    "failed": "error",
    "error": "error",
    "crashloopbackoff": "error",
    "oomkilled": "error",
    "errimagepull": "error",
    "imagepullbackoff": "error",
    "createcontainerconfigerror": "error",
    "killed": "error",
    "unknown": "neutral",
}


def color_for(name: str) -> str:
    """The colour of ``name``: derived from the name itself, so it never changes."""
    return PALETTE[_preferred_index(name)]


def colors_for(names: Iterable[str]) -> dict[str, str]:
    """Distinct colours for the names in one figure, each name's own colour where possible.

    Names are settled in sorted order, so the result does not depend on drawing order. Past
    ``len(PALETTE)`` names, colours repeat.
    """
    taken: set[int] = set()
    chosen: dict[str, str] = {}
    for name in sorted(set(names)):
        index = _preferred_index(name)
        for step in range(len(PALETTE)):
            candidate = (index + step) % len(PALETTE)
            if candidate not in taken:
                index = candidate
                break
        taken.add(index)
        if len(taken) == len(PALETTE):
            taken.clear()
        chosen[name] = PALETTE[index]
    return chosen


def status_color(status: str) -> str:
    """The colour of a state level or a Kubernetes status word ('Running', 'OOMKilled', ...).

    Unknown words get the neutral grey.
    """
    key = status.replace(" ", "").replace("_", "").lower()
    if key in STATUS_COLORS:
        return STATUS_COLORS[key]
    return STATUS_COLORS[_STATUS_LEVELS.get(key, "neutral")]


def with_alpha(color: str, alpha: float) -> str:
    """``'#RRGGBB'`` as an ``'rgba(r, g, b, alpha)'`` string."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha:g})"


def _preferred_index(name: str) -> int:
    # crc32, unlike hash(), is the same in every Python process.
    return zlib.crc32(name.encode("utf-8")) % len(PALETTE)
