"""The course holds together: every chapter is built the same way and the pieces point at each
other.

What a learner relies on from chapter to chapter (course_common's rules for a chapter):

- learning goals at the top ("In this notebook you will" and a list);
- links to the previous and the next notebook in its first cell, and again at its end, that
  lead to notebooks that exist (a neighbour still being written may be named without a link,
  marked "(coming)", only while its notebook does not exist);
- a summary, and exercises checked by ``check()``;
- when the chapter runs a simulated cluster, an "On a real cluster" section with the same work
  on kind or minikube;

and for the course as a whole: the README's chapter table links every notebook, the exercises
add up to at least 25 over chapters 1 to 6, the glossary gives every term in English and Korean
with links to the chapters that explain it, and instructors/solutions.md says what the
exercises say.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from instructors.make_solutions import SOLUTIONS, render
from k8skit.exercises import REGISTRY, progress
from k8skit.exercises.core import load_all_chapters

REPOSITORY = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPOSITORY / "notebooks"
README = REPOSITORY / "README.md"
GLOSSARY = NOTEBOOKS_DIR / "glossary.ipynb"

#: The course in reading order, as DESIGN.md lays it out; chapters 01-06 are NN_topic.ipynb.
ORDER = ["00_start_here", "01_deployment_history", "02_what_is_kubernetes",
         "03_cluster_anatomy", "04_pods", "05_services", "06_workshop", "glossary"]
CHAPTERS = [name for name in ORDER if re.match(r"0[1-6]_", name)]
PRESENT = [name for name in CHAPTERS if (NOTEBOOKS_DIR / f"{name}.ipynb").exists()]

LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)


def markdown(notebook) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]


def headings(notebook) -> list[str]:
    return [line.lstrip("#").strip() for text in markdown(notebook)
            for line in text.splitlines() if line.startswith("#")]


def linked(text: str) -> set[str]:
    """The local notebooks a markdown text links to, without anchors."""
    return {target.split("#")[0].removesuffix(".ipynb") for _label, target in LINK.findall(text)
            if target.split("#")[0].endswith(".ipynb") and "://" not in target}


def neighbours(name: str) -> list[str]:
    position = ORDER.index(name)
    return [ORDER[position - 1], ORDER[position + 1]]


# -- every chapter ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PRESENT)
def test_chapter_states_its_learning_goals(name):
    intro = markdown(read(name))[0]
    goals = re.search(r"\*\*In this (?:notebook|workshop) you will\*\*\n\n"
                      r"((?:- .*\n?(?:  .*\n?)*)+)", intro)
    assert goals, "the first cell has no 'In this notebook you will' list"
    assert len(re.findall(r"^- ", goals.group(1), re.M)) >= 3


@pytest.mark.parametrize("name", PRESENT)
@pytest.mark.parametrize("where", ["first cell", "last cell"])
def test_chapter_links_to_the_notebooks_before_and_after_it(name, where):
    cells = markdown(read(name))
    text = cells[0] if where == "first cell" else cells[-1]
    targets = linked(text)
    for neighbour in neighbours(name):
        if (NOTEBOOKS_DIR / f"{neighbour}.ipynb").exists():
            assert neighbour in targets, f"the {where} does not link to {neighbour}.ipynb"
        else:
            assert "(coming)" in text, f"the {where} neither links nor announces {neighbour}"


@pytest.mark.parametrize("name", PRESENT)
def test_chapter_sums_up_and_ends_with_exercises(name):
    notebook = read(name)
    assert "Summary" in headings(notebook)
    checks = [cell for cell in notebook.cells
              if cell.cell_type == "code" and re.search(r"\w+\.check\(\)", cell.source)]
    assert checks, "no exercise is checked in this chapter"
    chapter = "ch" + name[:2]
    module = REPOSITORY / "k8skit" / "exercises" / f"{chapter}.py"
    assert module.exists(), f"its exercises belong in {module.relative_to(REPOSITORY)}"


def runs_a_cluster(notebook) -> bool:
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    return bool(re.search(r"\bCluster\(|%kubectl|\bworkshop\(", code))


@pytest.mark.parametrize("name", [name for name in PRESENT if runs_a_cluster(read(name))])
def test_chapter_that_runs_a_cluster_shows_it_on_a_real_one(name):
    notebook = read(name)
    assert "On a real cluster" in headings(notebook)
    section = next(text for text in markdown(notebook) if "## On a real cluster" in text)
    assert "kind create cluster" in section or "minikube start" in section


def test_the_chapters_that_run_a_cluster_are_found():
    assert runs_a_cluster(read("06_workshop"))
    assert not runs_a_cluster(read("01_deployment_history"))


# -- the course as a whole ----------------------------------------------------------------------


def readme_chapter_table() -> list[list[str]]:
    """The rows of the README's chapters table, as lists of cells."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Chapters", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def test_readme_chapter_table_links_every_notebook():
    table = readme_chapter_table()
    targets = {target for row in table for target in linked_paths(" ".join(row))}
    notebooks = {f"notebooks/{path.name}" for path in NOTEBOOKS_DIR.glob("*.ipynb")}
    assert notebooks <= targets, f"not in the README's table: {sorted(notebooks - targets)}"
    assert all((REPOSITORY / target).exists() for target in targets)


def test_readme_marks_coming_only_what_does_not_exist_yet():
    for row in readme_chapter_table():
        if row[-1] == "coming":
            assert not linked_paths(" ".join(row)), f"{row[1]} is linked but marked coming"
        else:
            assert linked_paths(" ".join(row)), f"{row[1]} is {row[-1]} but not linked"


def linked_paths(text: str) -> set[str]:
    return {target for _label, target in LINK.findall(text) if target.endswith(".ipynb")}


def test_the_exercises_add_up_to_at_least_25_over_the_chapters():
    load_all_chapters()
    chapters = [exercise_id.split(".")[0] for exercise_id in REGISTRY
                if re.fullmatch(r"ch0[1-6]\.\w+", exercise_id)]
    assert len(chapters) >= 25
    rows = progress().rows
    assert sum(1 for row in rows if re.fullmatch(r"ch0[1-6]", row[0])) == len(chapters)


def test_every_chapter_from_2_on_has_at_least_4_exercises():
    load_all_chapters()
    for chapter in sorted({name[:2] for name in PRESENT} - {"01"}):
        count = sum(1 for exercise_id in REGISTRY if exercise_id.startswith(f"ch{chapter}."))
        assert count >= 4, f"chapter {chapter} has {count} exercises"


def test_instructors_solutions_say_what_the_exercises_say():
    assert SOLUTIONS.read_text(encoding="utf-8") == render(), (
        "instructors/solutions.md is out of date: python instructors/make_solutions.py")


# -- the glossary -------------------------------------------------------------------------------


def glossary_rows() -> list[list[str]]:
    text = next(text for text in markdown(nbformat.read(GLOSSARY, as_version=4))
                if text.startswith("## Terms"))
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def test_glossary_gives_each_term_in_korean_with_the_chapters_that_explain_it():
    rows = glossary_rows()
    assert len(rows) >= 60
    for english, korean, chapters, meaning in rows:
        assert re.search(r"[A-Za-z]", english) and meaning, english
        # Hangul, or a name the Korean documentation keeps in English (etcd, kubectl, NodePort).
        assert re.search(r"[\uac00-\ud7a3]", korean) or korean in english, english
        targets = linked(chapters)
        assert targets and targets <= set(CHAPTERS), f"{english}: links {chapters}"


def test_glossary_has_the_terms_of_the_korean_source_material():
    korean = " ".join(row[1] for row in glossary_rows())
    for term in ("컨테이너 오케스트레이션", "마스터 노드", "컨트롤 플레인", "워커 노드", "파드",
                 "서비스", "배포", "자가 치유", "로드 밸런싱", "롤아웃", "롤백", "빈 패킹",
                 "레이블", "셀렉터", "네임스페이스", "쿠버네티스 API 서버", "스케줄러",
                 "컨트롤러 매니저", "큐블릿", "큐브 프록시", "컨테이너 런타임", "가상화",
                 "하이퍼바이저"):
        assert term in korean, term


def test_glossary_is_in_alphabetical_order():
    english = [row[0].lower() for row in glossary_rows()]
    assert english == sorted(english)
