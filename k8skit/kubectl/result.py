"""What one kubectl command leaves behind: its output, its errors and its exit code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KubectlResult:
    """``stdout``, ``stderr`` and ``returncode`` of one command, like a finished process.

    In a notebook it shows as the text a terminal would have shown, output and errors in the
    order they were written (``terminal``), not as a Python object: ``c.kubectl("get pods")`` at
    the end of a cell prints the table.
    """

    stdout: str
    stderr: str
    returncode: int
    terminal: str | None = None

    @property
    def ok(self) -> bool:
        """True when the command succeeded (exit code 0)."""
        return self.returncode == 0

    @property
    def lines(self) -> list[str]:
        """The lines of standard output."""
        return self.stdout.splitlines()

    def __str__(self) -> str:
        # The final newline is the terminal's; print() adds its own.
        shown = self.terminal if self.terminal is not None else self.stdout + self.stderr
        return shown.removesuffix("\n")

    __repr__ = __str__

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(str(self))
