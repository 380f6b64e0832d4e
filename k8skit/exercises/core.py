"""The exercise mechanism every chapter uses: check, tiered hints, solution, progress.

In a notebook, an exercise looks like this (the style of Kaggle's learntools)::

    vms_that_fit = ____      # the learner replaces ____ with an answer
    q1.check()               # Correct / Not yet (and why) / Not attempted
    q1.hint()                # first hint; q1.hint(2) the next one
    q1.solution()            # the worked answer

``check()`` reads the answer from the notebook's variable (``answer_name``) and judges it by
value, never by the code that produced it. It never raises: a wrong type, a missing variable or
a judge that fails all become a short message. The last result of every exercise is kept for
the kernel session, and ``progress()`` lists them.

A chapter defines its exercises with ``Exercise(...)`` in ``k8skit/exercises/chNN.py``; creating
one registers it. A judge is a function of the answer that returns ``correct(why)``,
``not_yet(why)`` or ``not_attempted(why)`` (for answers that judge a simulated cluster, the
answer can be the cluster itself) and may raise ``AnswerError`` for an answer of the wrong
shape. The helpers ``as_number``, ``as_choice`` and ``as_choices`` do that for common shapes.
"""

from __future__ import annotations

import enum
import html
import importlib
import pkgutil
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from k8skit.viz import Table
from k8skit.viz.palette import BLUE, GREY, REDDISH_PURPLE, STATUS_COLORS


class _Placeholder:
    """The ``____`` a learner replaces with an answer."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"


____ = _Placeholder()
"""The blank in starter code. An answer still equal to it (or None) is "not attempted"."""

_MISSING = object()


class Status(enum.Enum):
    CORRECT = "correct"
    NOT_YET = "not yet"
    NOT_ATTEMPTED = "not attempted"
    NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class Verdict:
    """A judge's decision and the one-line reason shown to the learner."""

    status: Status
    message: str


def correct(message: str) -> Verdict:
    return Verdict(Status.CORRECT, message)


def not_yet(message: str) -> Verdict:
    return Verdict(Status.NOT_YET, message)


def not_attempted(message: str) -> Verdict:
    return Verdict(Status.NOT_ATTEMPTED, message)


class AnswerError(Exception):
    """The answer has the wrong shape; the message says what was expected, in plain words."""


# --- answers of common shapes -------------------------------------------------------------


def as_number(answer, what: str = "a number") -> float:
    """``answer`` as a number (a numeric string is accepted), else AnswerError."""
    if isinstance(answer, bool):
        raise AnswerError(f"expected {what}, got {answer!r}")
    if isinstance(answer, (int, float)):
        return answer
    if isinstance(answer, str):
        try:
            return float(answer.strip())
        except ValueError:
            pass
    raise AnswerError(f"expected {what}, got {answer!r}")


def as_choice(answer, choices: Iterable[str]) -> str:
    """``answer`` as one of ``choices`` (case and surrounding spaces ignored), else AnswerError."""
    choices = list(choices)
    if isinstance(answer, str):
        wanted = answer.strip().lower()
        for choice in choices:
            if choice.lower() == wanted:
                return choice
    raise AnswerError(f"expected one of {_quoted(choices)}, got {answer!r}")


def as_choices(answer, choices: Iterable[str]) -> frozenset[str]:
    """``answer`` (one choice or a list, set or tuple of them) as a set of ``choices``."""
    choices = list(choices)
    items = [answer] if isinstance(answer, str) else answer
    if not isinstance(items, (list, tuple, set, frozenset)):
        raise AnswerError(
            f"expected a list of some of {_quoted(choices)} (or an empty list), got {answer!r}"
        )
    return frozenset(as_choice(item, choices) for item in items)


def _quoted(choices: Sequence[str]) -> str:
    return ", ".join(repr(choice) for choice in choices)


# --- what the learner sees ----------------------------------------------------------------

_COLORS = {
    Status.CORRECT.value: STATUS_COLORS["ok"],
    Status.NOT_YET.value: STATUS_COLORS["error"],
    Status.NOT_ATTEMPTED.value: GREY,
    "hint": BLUE,
    "solution": REDDISH_PURPLE,
}


@dataclass(frozen=True)
class Message:
    """A short message coloured by its kind in a notebook, and plain text anywhere else.

    ``kind`` is a Status value, "hint" or "solution"; ``label`` is the word it starts with.
    """

    kind: str
    label: str
    text: str
    code: str = ""

    def _repr_html_(self) -> str:
        color = _COLORS.get(self.kind, GREY)
        code = (f'<pre style="margin:0.4em 0 0 0">{html.escape(self.code)}</pre>'
                if self.code else "")
        return (
            f'<div style="border-left:4px solid {color};padding:0.3em 0.8em">'
            f'<span style="color:{color};font-weight:bold">{html.escape(self.label)}:</span> '
            f"{_inline_code(html.escape(self.text))}{code}</div>"
        )

    def __repr__(self) -> str:
        code = "\n" + self.code if self.code else ""
        return f"{self.label}: {self.text}{code}"


def _inline_code(escaped: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


def _show(message: Message) -> None:
    try:
        from IPython.display import display
    except ImportError:  # plain Python without IPython
        print(repr(message))
    else:
        display(message)


# --- exercises ----------------------------------------------------------------------------

REGISTRY: dict[str, Exercise] = {}
"""Every exercise created so far, by id ('ch01.q1'), in creation order."""

_RESULTS: dict[str, Status] = {}


class Exercise:
    """One exercise: where its answer lives, how it is judged, its hints and its solution."""

    def __init__(
        self,
        id: str,
        title: str,
        question: str,
        answer_name: str,
        judge: Callable[[object], Verdict],
        hints: Sequence[str],
        solution_code: str,
        solution_note: str = "",
    ):
        if not re.fullmatch(r"ch\d\d\.\w+", id):
            raise ValueError(f"exercise ids look like 'ch01.q1', got {id!r}")
        if not hints:
            raise ValueError(f"exercise {id} needs at least one hint")
        self.id = id
        self.title = title
        self.question = question
        self.answer_name = answer_name
        self.judge = judge
        self.hints = tuple(hints)
        self.solution_code = solution_code.strip()
        self.solution_note = solution_note
        REGISTRY[id] = self

    @property
    def chapter(self) -> str:
        return self.id.split(".")[0]

    def evaluate(self, answer) -> Verdict:
        """Judge ``answer`` and remember the result; never raises."""
        if answer is _MISSING or answer is ____ or answer is None:
            verdict = not_attempted(
                f"replace ____ in `{self.answer_name} = ____` with your answer, "
                "then run the cell again."
            )
        else:
            try:
                verdict = self.judge(answer)
            except AnswerError as error:
                verdict = not_yet(str(error) + ".")
            except Exception as error:  # a learner never sees a traceback from a check
                verdict = not_yet(
                    f"this answer could not be checked ({type(error).__name__}: {error})."
                )
        _RESULTS[self.id] = verdict.status
        return verdict

    def check(self, answer=_MISSING) -> None:
        """Judge the learner's answer and show the verdict.

        With no argument, the answer is the variable named ``answer_name`` in the namespace
        that called ``check()`` (the notebook's).
        """
        if answer is _MISSING:
            answer = sys._getframe(1).f_globals.get(self.answer_name, _MISSING)
        verdict = self.evaluate(answer)
        status = verdict.status.value
        _show(Message(status, status.capitalize(), verdict.message))

    def hint(self, n: int = 1) -> None:
        """Show hint ``n`` (1 is the gentlest, the last gives most of the answer away)."""
        count = len(self.hints)
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= count:
            _show(Message("hint", "Hint", f"there are {count} hints: ask for hint(1) to "
                          f"hint({count})."))
            return
        more = f" (more: hint({n + 1}))" if n < count else ""
        _show(Message("hint", f"Hint {n} of {count}", self.hints[n - 1] + more))

    def solution(self) -> None:
        """Show the worked solution."""
        _show(Message("solution", "Solution", self.solution_note, code=self.solution_code))

    @property
    def last_result(self) -> Status:
        return _RESULTS.get(self.id, Status.NOT_CHECKED)

    def _repr_html_(self) -> str:
        return (f"<p><b>{html.escape(self.title)}</b></p>"
                f"<p>{_inline_code(html.escape(self.question))}</p>")

    def __repr__(self) -> str:
        return f"{self.title}\n{self.question}"


def load_all_chapters() -> None:
    """Import every chapter module (``k8skit/exercises/chNN.py``) so all exercises register."""
    package = sys.modules[__name__.rsplit(".", 1)[0]]
    for module in pkgutil.iter_modules(package.__path__):
        if re.fullmatch(r"ch\d\d", module.name):
            importlib.import_module(f"{package.__name__}.{module.name}")


def progress(chapter: str | None = None) -> Table:
    """Every exercise of the course (or of one ``chapter``, such as ``"ch01"``) and its last
    check in this kernel session."""
    load_all_chapters()
    exercises = sorted((e for e in REGISTRY.values() if chapter in (None, e.chapter)),
                       key=lambda e: (e.chapter, _natural(e.id)))
    if not exercises:
        chapters = ", ".join(sorted({e.chapter for e in REGISTRY.values()}))
        return Table(columns=("chapter", "exercise", "title", "last check"), rows=[],
                     caption=f'no exercises in chapter "{chapter}": the chapters are {chapters}')
    done = sum(e.last_result is Status.CORRECT for e in exercises)
    return Table(
        columns=("chapter", "exercise", "title", "last check"),
        rows=[(e.chapter, e.id, e.title, e.last_result.value) for e in exercises],
        caption=f"{done} of {len(exercises)} exercises correct in this session",
    )


def _natural(text: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]
