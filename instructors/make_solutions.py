"""Write instructors/solutions.md: every exercise of the course with its hints and solution.

The page is generated from the exercises themselves (``k8skit/exercises/chNN.py``), so it always
says what ``qN.hint()`` and ``qN.solution()`` say in the notebooks; tests/test_course.py fails
when the committed page and the exercises disagree. After changing an exercise, run from the
repository's root::

    python instructors/make_solutions.py
"""

from __future__ import annotations

import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from k8skit.exercises.core import REGISTRY, load_all_chapters  # noqa: E402

SOLUTIONS = Path(__file__).resolve().parent / "solutions.md"

CHAPTERS = {
    "ch01": "01 · Deployment history",
    "ch02": "02 · What Kubernetes is",
    "ch03": "03 · Cluster anatomy",
    "ch04": "04 · Pods",
    "ch05": "05 · Services",
    "ch06": "06 · Workshop",
}


INTRODUCTION = """\
# Solutions

Every exercise of the course: the question, its hints in the order `hint()` gives them, and the
worked solution `solution()` shows. Generated from `k8skit/exercises/` by
`python instructors/make_solutions.py`; do not edit by hand.

The test suite runs each solution and expects its own check to pass (tests/test_exercises.py),
and feeds each check the wrong answers learners are likely to give
(tests/test_exercises_chNN.py): the messages learners get for those are a good guide to the
mistakes to expect in the room."""


def _natural(exercise_id: str) -> tuple:
    chapter, _, name = exercise_id.partition(".")
    digits = "".join(c for c in name if c.isdigit())
    return chapter, name.rstrip("0123456789"), int(digits or 0)


def render() -> str:
    """The page, from the exercises registered by every chapter module."""
    load_all_chapters()
    lines = INTRODUCTION.splitlines()
    chapter = None
    for exercise in sorted(REGISTRY.values(), key=lambda e: _natural(e.id)):
        if exercise.chapter != chapter:
            chapter = exercise.chapter
            lines += ["", f"## {CHAPTERS.get(chapter, chapter)}"]
        lines += ["", f"### {exercise.id} · {exercise.title}", "", exercise.question, "",
                  "Hints:", ""]
        lines += [f"{n}. {hint}" for n, hint in enumerate(exercise.hints, start=1)]
        lines += ["", "Solution:", "", "```python", exercise.solution_code, "```"]
        if exercise.solution_note:
            lines += ["", exercise.solution_note]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    SOLUTIONS.write_text(render(), encoding="utf-8")
    print(f"wrote {SOLUTIONS.relative_to(REPOSITORY)}")
