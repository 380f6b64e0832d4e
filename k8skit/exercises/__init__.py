"""Auto-checked exercises for the notebooks: ``check()``, tiered ``hint()``, ``solution()``.

In a chapter's notebook::

    from k8skit.exercises import ____
    from k8skit.exercises.ch01 import q1, q2, q3

    vms_that_fit = ____
    q1.check()

``progress()`` lists every exercise of the course and its last check in this kernel session.
The mechanism is in ``k8skit.exercises.core``; each chapter's exercises are in ``chNN.py``,
and what their checks share to run an answer in a simulated cluster (a scratch cluster,
applying a manifest answer, an app's pods and their statuses) is in
``k8skit.exercises.cluster_checks``.
"""

from k8skit.exercises.core import (
    REGISTRY,
    AnswerError,
    Exercise,
    Status,
    Verdict,
    ____,
    as_choice,
    as_choices,
    as_number,
    correct,
    not_attempted,
    not_yet,
    progress,
)

__all__ = [
    "REGISTRY",
    "AnswerError",
    "Exercise",
    "Status",
    "Verdict",
    "____",
    "as_choice",
    "as_choices",
    "as_number",
    "correct",
    "not_attempted",
    "not_yet",
    "progress",
]
