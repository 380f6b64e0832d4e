"""Go's ``text/tabwriter``: how kubectl lines up its columns.

Every table kubectl prints (``get``, ``top``) and every ``describe`` goes through Go's tabwriter.
The program writes cells separated by tab characters; the tabwriter buffers the lines and pads
each cell with spaces so that the cells of a column line up. Its rules explain some details a
learner may notice:

- a cell is the text *before* a tab; the last piece of a line (after its last tab) is not part
  of any column, so it is never padded and may be as long as it likes;
- a column is as wide as its widest cell plus ``padding``, and never narrower than
  ``minwidth``;
- a *column block* is a run of consecutive lines that all have a cell in that column. A line
  with fewer cells ends the block, and the next block is measured on its own. That is why the
  "Events:" table at the end of ``kubectl describe`` has its own widths.

kubectl's tables use ``minwidth=6, tabwidth=4, padding=3, padchar=' ', flags=0``
(``staging/src/k8s.io/cli-runtime/pkg/printers/tabwriter.go``); ``describe`` uses
``minwidth=0, tabwidth=8, padding=2`` (``tabbedString`` in
``staging/src/k8s.io/kubectl/pkg/describe/describe.go``). The algorithm follows Go's
``src/text/tabwriter/tabwriter.go`` (``format`` and ``writeLines``) for space padding without
flags, which is the only way kubectl uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

# kubectl's table settings (cli-runtime/pkg/printers/tabwriter.go).
TABLE_MINWIDTH = 6
TABLE_TABWIDTH = 4
TABLE_PADDING = 3

# kubectl describe's settings (describe.go, tabbedString).
DESCRIBE_MINWIDTH = 0
DESCRIBE_TABWIDTH = 8
DESCRIBE_PADDING = 2


@dataclass
class TabWriter:
    """Collects tab-separated text with :meth:`write`; :meth:`flush` returns it aligned.

    ``tabwidth`` only matters when the padding character is a tab, which kubectl never uses;
    it is kept so the settings read exactly as upstream's.
    """

    minwidth: int = TABLE_MINWIDTH
    tabwidth: int = TABLE_TABWIDTH
    padding: int = TABLE_PADDING

    def __post_init__(self) -> None:
        self._pending = ""
        self._done: list[str] = []

    def write(self, text: str) -> None:
        self._pending += text

    def flush(self) -> str:
        """Align everything written since the last flush; return all text formatted so far.

        Flushing ends every column block, as ``Flush`` does upstream: text written after a
        flush is aligned on its own.
        """
        if self._pending:
            self._done.append(format_cells(self._pending, self.minwidth, self.padding))
            self._pending = ""
        return "".join(self._done)


def format_cells(text: str, minwidth: int = TABLE_MINWIDTH,
                 padding: int = TABLE_PADDING) -> str:
    """Align tab-terminated cells the way Go's tabwriter does (space padding, no flags)."""
    lines = [line.split("\t") for line in text.split("\n")]
    out: list[str] = []
    _format(out, lines, [], 0, len(lines), minwidth, padding)
    return "\n".join(out)


def _format(out: list[str], lines: list[list[str]], widths: list[int], line0: int,
            line1: int, minwidth: int, padding: int) -> None:
    """Go's ``Writer.format``: find the blocks of column ``len(widths)`` between two lines.

    Within a block the column's width is fixed; the columns to its right are formatted
    recursively over the same block.
    """
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        # A cell in this column: lines before it are complete, print them.
        _write_lines(out, lines, widths, line0, this)
        line0 = this
        width = minwidth
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, len(lines[this][column]) + padding)
            this += 1
        _format(out, lines, [*widths, width], line0, this, minwidth, padding)
        line0 = this
    _write_lines(out, lines, widths, line0, line1)


def _write_lines(out: list[str], lines: list[list[str]], widths: list[int], line0: int,
                 line1: int) -> None:
    for cells in lines[line0:line1]:
        parts = []
        for j, cell in enumerate(cells):
            # Cells in a measured column are padded; the line's last cell never is.
            parts.append(cell.ljust(widths[j]) if j < len(widths) and j < len(cells) - 1
                         else cell)
        out.append("".join(parts))
