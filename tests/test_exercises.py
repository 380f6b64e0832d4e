"""The exercise mechanism every chapter uses, and every registered exercise's solution."""

import pytest

from k8skit.exercises import (
    REGISTRY,
    AnswerError,
    Exercise,
    Status,
    ____,
    as_choice,
    as_choices,
    as_number,
    correct,
    not_yet,
    progress,
)
from k8skit.exercises.core import Message, load_all_chapters


def judge_answer_is_42(answer):
    value = as_number(answer, "a whole number")
    return correct("42 it is.") if value == 42 else not_yet(f"{value:g} is not the answer.")


@pytest.fixture
def exercise():
    made = Exercise(
        id="ch00.scratch",
        title="The answer",
        question="What is the answer? Set `answer`.",
        answer_name="answer",
        judge=judge_answer_is_42,
        hints=("It is a number.", "It is 6 times 7."),
        solution_code="answer = 6 * 7",
        solution_note="Multiply.",
    )
    yield made
    del REGISTRY[made.id]


def run_in_notebook(code, exercise):
    """Run ``code`` as a notebook cell would: in its own global namespace."""
    namespace = {"q": exercise, "____": ____}
    exec(code, namespace)


def test_check_reads_the_notebooks_variable_and_judges_it(exercise, capsys):
    run_in_notebook("answer = 6 * 7\nq.check()", exercise)
    assert capsys.readouterr().out == "Correct: 42 it is.\n"
    assert exercise.last_result is Status.CORRECT


@pytest.mark.parametrize("cell", ["answer = ____\nq.check()", "answer = None\nq.check()",
                                  "q.check()"])
def test_starter_code_is_not_attempted(exercise, capsys, cell):
    run_in_notebook(cell, exercise)
    out = capsys.readouterr().out
    assert out.startswith("Not attempted: replace ____ in `answer = ____`")
    assert exercise.last_result is Status.NOT_ATTEMPTED


@pytest.mark.parametrize("answer, says", [(41, "41 is not the answer."),
                                          ("forty-two", "expected a whole number"),
                                          ([42], "expected a whole number")])
def test_a_wrong_answer_says_why_without_a_traceback(exercise, capsys, answer, says):
    exercise.check(answer)
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and says in out
    assert "Traceback" not in out
    assert exercise.last_result is Status.NOT_YET


def test_a_failing_judge_becomes_a_message(exercise, capsys):
    exercise.judge = lambda answer: 1 / 0
    exercise.check(42)
    out = capsys.readouterr().out
    assert out == (
        "Not yet: this answer could not be checked (ZeroDivisionError: division by zero).\n"
    )


def test_hints_come_in_tiers(exercise, capsys):
    exercise.hint()
    exercise.hint(2)
    exercise.hint(3)
    exercise.hint("2")
    assert capsys.readouterr().out.splitlines() == [
        "Hint 1 of 2: It is a number. (more: hint(2))",
        "Hint 2 of 2: It is 6 times 7.",
        "Hint: there are 2 hints: ask for hint(1) to hint(2).",
        "Hint: there are 2 hints: ask for hint(1) to hint(2).",
    ]


def test_the_solution_shows_its_code(exercise, capsys):
    exercise.solution()
    assert capsys.readouterr().out == "Solution: Multiply.\nanswer = 6 * 7\n"


def test_messages_are_coloured_html_in_a_notebook_and_escape_the_learners_text():
    message = Message("not yet", "Not yet", "expected a number, got '<b>'; see `hint()`")
    html = message._repr_html_()
    assert "border-left:4px solid #D55E00" in html
    assert "&lt;b&gt;" in html and "<code>hint()</code>" in html
    assert repr(message) == "Not yet: expected a number, got '<b>'; see `hint()`"


def test_progress_lists_every_exercise_with_its_last_check(exercise):
    exercise.check(42)
    table = progress()
    rows = {row[1]: row for row in table.rows}
    assert rows["ch00.scratch"][3] == "correct"
    assert {"ch01.q1", "ch01.q2", "ch01.q3"} <= set(rows)
    assert table.caption.endswith("exercises correct in this session")
    assert [row[1] for row in table.rows][:1] == ["ch00.scratch"]  # chapters in order


def test_progress_of_one_chapter_lists_only_its_exercises():
    table = progress("ch01")
    assert [row[1] for row in table.rows] == ["ch01.q1", "ch01.q2", "ch01.q3"]
    assert table.caption.endswith("of 3 exercises correct in this session")
    unknown = progress("ch99")
    assert unknown.rows == []
    assert unknown.caption.startswith('no exercises in chapter "ch99": the chapters are ch01')


def test_exercise_ids_name_their_chapter():
    with pytest.raises(ValueError, match="ch01.q1"):
        Exercise("q1", "t", "q", "a", judge_answer_is_42, ("hint",), "a = 1")


def test_answer_shapes_are_read_forgivingly():
    assert as_number(" 7 ") == 7
    assert as_choice(" DB ", ["web", "db"]) == "db"
    assert as_choices("db", ["web", "db"]) == {"db"}
    assert as_choices(("db", "web"), ["web", "db"]) == {"db", "web"}
    for wrong in (True, None, "seven"):
        with pytest.raises(AnswerError):
            as_number(wrong)
    with pytest.raises(AnswerError, match="expected a list"):
        as_choices(3, ["web"])


load_all_chapters()


@pytest.mark.parametrize("exercise_id", sorted(REGISTRY))
def test_every_solution_passes_its_check(exercise_id):
    exercise = REGISTRY[exercise_id]
    namespace = {}
    exec(exercise.solution_code, namespace)
    verdict = exercise.evaluate(namespace[exercise.answer_name])
    assert verdict.status is Status.CORRECT, verdict.message


@pytest.mark.parametrize("exercise_id", sorted(REGISTRY))
def test_every_exercise_has_tiered_hints_and_a_question_naming_its_variable(exercise_id):
    exercise = REGISTRY[exercise_id]
    assert len(exercise.hints) >= 2
    assert f"`{exercise.answer_name}`" in exercise.question
