"""Every notebook, opened in JupyterLab in a real Chromium, runs and reacts as a learner expects.

nbval proves that a notebook's outputs are reproduced by a kernel; only a browser proves that
they are *seen*: that the widget extension draws each widget, that plotly draws each figure, and
that moving a control redraws what it drives. For each notebook the test clears the saved outputs,
runs all cells, and then checks, as a learner would look:

- no cell shows an error (cells tagged ``raises-exception`` may, as in nbval);
- every widget rendered: no "Error displaying widget", no "Loading widget..." left;
- every plot is drawn;
- moving each slider changes what the outputs show (a figure's data or layout, or a text);
- clicking each button raises no error;
- no widget callback logged an error, and the page logged no JavaScript error;
- the interactions registered for the notebook in ``notebook_interactions.py`` pass.

A screenshot of each notebook is saved in tests/browser/screenshots/ (git-ignored), also when the
test fails, to see what the learner would have seen.
"""

from pathlib import Path

import pytest
from notebook_interactions import INTERACTIONS
from notebook_page import WIDGET_FAILURES, NotebookPage

from tools.notebooks import notebook_paths

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PLOTLY_FIGURE = "application/vnd.plotly.v1+json"

pytestmark = pytest.mark.browser


@pytest.fixture
def open_notebook(chromium, jupyterlab, request):
    """Open a notebook by file name; screenshot and close it when the test ends."""
    opened: list[tuple[str, NotebookPage]] = []

    def open_(name: str) -> NotebookPage:
        notebook = NotebookPage(chromium, jupyterlab, f"notebooks/{name}")
        opened.append((name, notebook))
        return notebook

    yield open_
    for name, notebook in opened:
        try:
            notebook.screenshot(SCREENSHOTS / f"{Path(name).stem}.png")
        finally:
            notebook.close()


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda path: path.stem)
def test_notebook_runs_renders_and_reacts_in_jupyterlab(path, open_notebook):
    notebook = open_notebook(path.name)
    notebook.run_all()
    assert not notebook.cell_errors(), f"cells failed: {notebook.cell_errors()}"

    notebook.wait_for(lambda: no_widget_loading(notebook), "widgets to finish loading")
    assert_every_output_rendered(notebook)

    for interaction in INTERACTIONS.get(path.stem, []):
        interaction(notebook)

    for index in range(notebook.slider_count()):
        if notebook.slider_enabled(index):
            assert_slider_changes_what_is_shown(notebook, index)

    for index, label in enumerate(notebook.button_labels()):
        notebook.click_button(index)
        assert not notebook.cell_errors(), f"after clicking {label!r}: {notebook.cell_errors()}"
        assert_every_output_rendered(notebook)

    assert not notebook.logged_errors(), f"widget callbacks failed: {notebook.logged_errors()}"
    assert not notebook.console_errors, f"the page logged errors: {notebook.console_errors}"


def no_widget_loading(notebook: NotebookPage) -> bool:
    return not any(
        "Loading widget..." in (output["text"] or "") for output in notebook.rendered_outputs()
    )


def assert_every_output_rendered(notebook: NotebookPage) -> None:
    """Each widget output shows a widget, each plotly output a drawn plot, and every plot drew."""
    problems = []
    for output in notebook.rendered_outputs():
        where = f"output of code cell {output['cell'] + 1}"
        text = output["text"] or ""
        if output["text"] is None:
            problems.append(f"{where} has no element on the page")
        elif WIDGET_VIEW in output["mimeTypes"]:
            shown_failures = [failure for failure in WIDGET_FAILURES if failure in text]
            if shown_failures or output["elements"] == 0:
                problems.append(f"{where}: widget not rendered ({text.strip()[:200]!r})")
        elif PLOTLY_FIGURE in output["mimeTypes"] and output["drawnPlots"] == 0:
            problems.append(f"{where}: plotly figure not drawn")
        if output["plots"] != output["drawnPlots"]:
            problems.append(f"{where}: {output['plots'] - output['drawnPlots']} plot(s) not drawn")
    figures = notebook.figures()
    problems += [f"plot {n + 1} has no traces" for n, fig in enumerate(figures) if not fig["data"]]
    assert not problems, "\n".join(problems)


def assert_slider_changes_what_is_shown(notebook: NotebookPage, index: int) -> None:
    label = notebook.slider_label(index)
    shown_before = notebook.shown()
    before, after = notebook.nudge_slider(index)
    assert before != after, f"slider {label!r} did not move from {before}"
    assert notebook.wait_for_change(shown_before), (
        f"moving slider {label!r} from {before} to {after} changed no figure and no output"
    )
    assert not notebook.cell_errors(), f"after moving {label!r}: {notebook.cell_errors()}"
    assert_every_output_rendered(notebook)
