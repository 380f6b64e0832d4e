"""How long each notebook of the course takes to run top to bottom, and how large it is.

Each notebook runs in a fresh kernel of this environment, exactly as ``tools.run_notebooks``
runs it (nothing is saved). Prints each notebook's run time and committed size against its
budget, then the whole course's run time. Budgets from the course's issues: a chapter runs in
under 20 s, the whole course in under 90 s, and a committed notebook stays under 500 KB.

    python -m benchmarks.bench_notebooks [notebook ...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tools.notebooks import notebook_paths, size_budget
from tools.run_notebooks import execute


def main(argv: list[str]) -> None:
    paths = [Path(arg).resolve() for arg in argv] or notebook_paths()
    total = 0.0
    print(f"{'notebook':<34} {'run time':>9} {'size':>9} {'budget':>8}")
    for path in paths:
        started = time.perf_counter()
        execute(path)
        seconds = time.perf_counter() - started
        total += seconds
        size, budget = path.stat().st_size, size_budget(path)
        print(f"{path.name:<34} {seconds:>8.1f}s {size / 1024:>7.1f}KB {budget // 1024:>6}KB")
    print(f"{'whole course':<34} {total:>8.1f}s")


if __name__ == "__main__":
    main(sys.argv[1:])
