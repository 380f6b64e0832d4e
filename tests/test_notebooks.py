"""Committed notebooks are clean, and the tool that re-executes them keeps them so.

A committed notebook is what a reader sees before running anything and what nbval compares each
fresh run against, so it must come from one clean run: executed top to bottom in order, without
errors, without widget state (megabytes of it with plotly's FigureWidget), within its size budget
(tools/notebooks.py), with figures saved as plotly JSON rather than embedded JavaScript, naming the
``python3`` kernel, and with links that lead somewhere. ``python -m tools.run_notebooks`` writes
notebooks that way; its own tests are at the end.
"""

import re
from pathlib import Path

import nbformat
import pytest

from tools.notebooks import NOTEBOOKS_DIR, notebook_paths, size_budget
from tools.run_notebooks import main as run_notebooks

NOTEBOOKS = notebook_paths()

#: Markdown links and images: ``[text](target)`` and ``![alt](target)``.
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")

#: What the ``notebook`` and ``*_connected`` plotly renderers leave in an HTML output.
EMBEDDED_PLOTLY = ("Plotly.newPlot", "plotly.min.js", "cdn.plot.ly")


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def widget_state(notebook) -> dict:
    return notebook.metadata.get("widgets", {})


def error_outputs(notebook) -> list[str]:
    """The errors saved in cells that are not tagged ``raises-exception``."""
    return [
        f"cell [{cell.execution_count}]: {output.ename}: {output.evalue}"
        for cell in code_cells(notebook)
        if "raises-exception" not in cell.metadata.get("tags", [])
        for output in cell.outputs
        if output.output_type == "error"
    ]


def execution_order_problems(notebook) -> list[str]:
    """How the saved execution counts differ from one run, top to bottom: 1, 2, 3, ..."""
    ran = [cell for cell in code_cells(notebook) if cell.source.strip()]
    counts = [cell.execution_count for cell in ran]
    expected = list(range(1, len(ran) + 1))
    return [] if counts == expected else [f"execution counts {counts}, expected {expected}"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_holds_no_widget_state(path):
    assert not widget_state(read(path)), (
        "widget state saved in the notebook: re-execute it with python -m tools.run_notebooks"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_shows_no_errors(path):
    assert not error_outputs(read(path))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_was_executed_top_to_bottom_in_one_run(path):
    assert not execution_order_problems(read(path))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_stays_within_its_size_budget(path):
    size, budget = path.stat().st_size, size_budget(path)
    assert size <= budget, f"{size / 1024:.0f} KB, budget {budget // 1024} KB"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_saves_figures_as_plotly_json_not_embedded_javascript(path):
    html_outputs = [
        output.data["text/html"]
        for cell in code_cells(read(path))
        for output in cell.outputs
        if "text/html" in output.get("data", {})
    ]
    embedding = [html[:120] for html in html_outputs if any(m in html for m in EMBEDDED_PLOTLY)]
    assert not embedding, "plotly.js in an HTML output: keep plotly's default renderer"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_names_the_python3_kernel(path):
    # JupyterLab starts the kernel a notebook names without asking the learner to choose one.
    assert read(path).metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_links_to_local_files_lead_to_files_that_exist(path):
    targets = [
        target.split("#", 1)[0]
        for cell in read(path).cells
        if cell.cell_type == "markdown"
        for target in MARKDOWN_LINK.findall(cell.source)
        if not re.match(r"[a-z][a-z0-9+.-]*:|#", target)
    ]
    missing = [target for target in targets if not (NOTEBOOKS_DIR / target).exists()]
    assert not missing, f"links to missing files: {missing}"


def test_the_first_notebook_is_start_here():
    assert NOTEBOOKS[0].name == "00_start_here.ipynb"


# -- python -m tools.run_notebooks -------------------------------------------------------------

LIVE_FIGURE_CELL = """\
import os
import ipywidgets as widgets
import plotly.graph_objects as go

slider = widgets.IntSlider(value=1, max=5)
figure = go.FigureWidget(data=[go.Bar(y=[1, 2, 3])])
widgets.VBox([slider, figure])"""


def write_notebook(path: Path, *sources: str) -> Path:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nbformat.write(notebook, path)
    return path


def test_tool_saves_outputs_in_order_without_widget_state(tmp_path):
    path = write_notebook(tmp_path / "live.ipynb", LIVE_FIGURE_CELL, "print(os.getcwd())")
    assert run_notebooks([str(path)]) == 0
    notebook = read(path)
    assert not widget_state(notebook)
    assert not execution_order_problems(notebook)
    live_output, cwd_output = (cell.outputs[0] for cell in code_cells(notebook))
    assert live_output.data["text/plain"].startswith("VBox(children=(IntSlider(")
    assert "application/vnd.jupyter.widget-view+json" not in live_output.data
    assert cwd_output.text.strip() == str(tmp_path), "the kernel runs in the notebook's folder"
    assert notebook.metadata.kernelspec.name == "python3"


def test_tool_reruns_an_unchanged_notebook_to_the_same_bytes(tmp_path):
    path = write_notebook(tmp_path / "live.ipynb", LIVE_FIGURE_CELL, "sorted({3, 1, 2})")
    assert run_notebooks([str(path)]) == 0
    first_run = path.read_bytes()
    assert run_notebooks([str(path)]) == 0
    assert path.read_bytes() == first_run


def test_tool_joins_a_cells_printing_into_one_output_per_stream(tmp_path):
    printing = "import time\nfor i in range(3):\n    print(i, flush=True)\n    time.sleep(0.05)"
    path = tmp_path / "prints.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"),
                                                   nbformat.v4.new_code_cell(printing)]), path)
    assert run_notebooks([str(path)]) == 0
    markdown, code = read(path).cells
    assert "outputs" not in markdown
    assert [(out.output_type, out.name, out.text) for out in code.outputs] == [
        ("stream", "stdout", "0\n1\n2\n")]


def test_tool_leaves_a_failing_notebook_untouched_and_reports_it(tmp_path, capsys):
    path = write_notebook(tmp_path / "broken.ipynb", "1 / 0")
    before = path.read_bytes()
    assert run_notebooks([str(path)]) == 1
    assert path.read_bytes() == before
    assert "broken.ipynb: FAILED" in capsys.readouterr().err


def test_tool_keeps_an_expected_exception_in_a_tagged_cell(tmp_path):
    path = write_notebook(tmp_path / "shows_error.ipynb", "int('x')", "'next cell ran'")
    notebook = read(path)
    notebook.cells[0].metadata["tags"] = ["raises-exception"]
    nbformat.write(notebook, path)
    assert run_notebooks([str(path)]) == 0
    error_cell, next_cell = code_cells(read(path))
    assert error_cell.outputs[0].ename == "ValueError"
    assert next_cell.outputs[0].data["text/plain"] == "'next cell ran'"


def test_tool_reports_a_notebook_over_its_budget(tmp_path, capsys):
    path = write_notebook(tmp_path / "large.ipynb", "print('x' * 600_000)")
    assert run_notebooks([str(path)]) == 1
    assert "OVER BUDGET" in capsys.readouterr().out


def test_tool_refuses_a_path_that_is_not_a_notebook(tmp_path, capsys):
    with pytest.raises(SystemExit):
        run_notebooks([str(tmp_path / "missing.ipynb")])
    assert "no such notebook" in capsys.readouterr().err
