"""Where the course's notebooks live and how large a committed notebook may be.

One place for the rules that both ``tools.run_notebooks`` (which writes notebooks) and
``tests/test_notebooks.py`` (which checks what is committed) apply.

Size budgets: a committed notebook carries its outputs, so that a reader sees them before running
anything, but never widget state or an embedded plotly.js (either adds megabytes). Notebook 00 only
checks the set-up and maps the course, so it gets 300 KB; a chapter, with its figures, gets 500 KB.
"""

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPOSITORY / "notebooks"

START_HERE = "00_start_here.ipynb"
START_HERE_BUDGET_BYTES = 300 * 1024
CHAPTER_BUDGET_BYTES = 500 * 1024

#: The kernel every notebook names: the ``python3`` of whichever environment opens it.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def notebook_paths() -> list[Path]:
    """Every notebook of the course, in chapter order (file names start with the chapter number)."""
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def size_budget(path: Path) -> int:
    """The largest size in bytes that the committed notebook at ``path`` may have."""
    return START_HERE_BUDGET_BYTES if path.name == START_HERE else CHAPTER_BUDGET_BYTES
