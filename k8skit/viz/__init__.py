"""The course's figures: pure functions from a model's result to a plotly figure.

Every figure here takes the state it shows and returns a ``plotly.graph_objects.Figure``; it
reads nothing else and changes nothing. Colours come from ``k8skit.viz.palette`` (importing this
package does not import plotly; the figure modules do).

A figure that a widget redraws also has a *patch* function returning a ``FigurePatch``: the new
data of every trace and the layout properties that change, in the order the figure function
creates them. Applying a patch to the ``FigureWidget`` made from the same figure function
updates it in place, which is much faster than building a new figure.

- ``k8skit.viz.eras``: chapter 1 (isolation, packing, scale-out, the summary table).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from k8skit.viz import palette
from k8skit.viz.palette import PALETTE, color_for, colors_for, status_color


@dataclass(frozen=True)
class FigurePatch:
    """New properties for a figure's traces (by position) and layout (by property path).

    Layout paths are plotly's: ``"title.text"``, ``"annotations[1].text"``, ``"shapes"``.
    """

    traces: Sequence[Mapping[str, Any]] = ()
    layout: Mapping[str, Any] = field(default_factory=dict)

    def apply_to(self, figure) -> None:
        """Update ``figure`` (a Figure or a FigureWidget) in one batch."""
        if len(self.traces) != len(figure.data):
            raise ValueError(
                f"patch has {len(self.traces)} traces, figure has {len(figure.data)}: "
                "it was not made by the matching figure function"
            )
        with figure.batch_update():
            for trace, properties in zip(figure.data, self.traces, strict=True):
                trace.update(properties)
            for path, value in self.layout.items():
                figure.layout[path] = value


@dataclass(frozen=True)
class Table:
    """A small table that shows as HTML in a notebook and as aligned text elsewhere.

    Unlike a styled DataFrame, its HTML carries no generated ids, so a saved notebook's output
    is the same on every run.
    """

    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]
    caption: str = ""

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>"
            for row in self.rows
        )
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (
            f'<table class="k8skit-table">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )

    def __repr__(self) -> str:
        cells = [[str(c) for c in self.columns]]
        cells += [[str(cell) for cell in row] for row in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
                 for row in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(([self.caption] if self.caption else []) + lines)


__all__ = [
    "PALETTE",
    "FigurePatch",
    "Table",
    "color_for",
    "colors_for",
    "palette",
    "status_color",
]
