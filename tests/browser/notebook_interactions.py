"""What a particular notebook must do in the browser, beyond the checks every notebook gets.

The browser test runs every notebook, checks that its widgets and plots render, moves each slider
and clicks each button. A chapter that needs more ("click Fail node, expect its pods to move")
registers a function here under the notebook's file name without ``.ipynb``::

    @interaction("04_pods")
    def failing_a_node_reschedules_its_pods(notebook: NotebookPage) -> None:
        notebook.click_button("Fail node-1")
        assert ...

Each function receives the ``NotebookPage`` right after "Run All" (see notebook_page.py for what it
can read and do) and asserts what a learner would see. They run in the order they are registered.
"""

from collections import defaultdict
from collections.abc import Callable

from notebook_page import NotebookPage

Interaction = Callable[[NotebookPage], None]

INTERACTIONS: dict[str, list[Interaction]] = defaultdict(list)


def interaction(notebook_name: str) -> Callable[[Interaction], Interaction]:
    """Register the decorated function for the notebook ``notebook_name`` (e.g. "00_start_here")."""

    def register(function: Interaction) -> Interaction:
        INTERACTIONS[notebook_name].append(function)
        return function

    return register


@interaction("00_start_here")
def live_wave_matches_the_plain_figure_at_the_same_frequency(notebook: NotebookPage) -> None:
    """The notebook tells the learner: drag the slider to 3 and the two waves match."""
    live, plain = notebook.figures()[:2]
    assert live["data"][0]["y"] != plain["data"][0]["y"], "the waves match before the slider moved"
    notebook.set_slider(0, "3")

    def waves_match() -> bool:
        live, plain = notebook.figures()[:2]
        return live["data"][0]["y"] == plain["data"][0]["y"]

    notebook.wait_for(waves_match, "the live wave to match the plain one")
    live, plain = notebook.figures()[:2]
    assert live["layout"]["title"] == plain["layout"]["title"]


@interaction("gallery")
def each_dashboard_redraws_its_figure_when_a_control_is_used(notebook: NotebookPage) -> None:
    """One control per dashboard of the gallery's Dashboards section: its figure must change."""
    for label in ("Step", "Add pods", "Send requests", "Roll out", "Next ▶"):
        before = notebook.figures()
        notebook.click_button(notebook.button_labels().index(label))
        notebook.wait_for(lambda shown=before: notebook.figures() != shown,
                          f"a figure to change when {label!r} is clicked")


@interaction("03_cluster_anatomy")
def next_walks_the_request_journey_one_step(notebook: NotebookPage) -> None:
    """The notebook says: click Next to walk through the steps of one kubectl apply."""

    def shows_step(number: int) -> bool:
        return f"Step {number} of" in notebook.page.locator(".jp-Notebook").inner_text()

    assert shows_step(1), "the journey does not start at step 1"
    notebook.click_button("Next ▶")
    notebook.wait_for(lambda: shows_step(2), "the journey to show step 2")
