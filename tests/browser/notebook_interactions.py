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


@interaction("04_pods")
def a_pod_larger_than_any_node_stays_pending_in_the_scheduler_lab(notebook: NotebookPage) -> None:
    """The notebook says: ask for a pod that fits nowhere and read the message."""
    notebook.set_slider(0, "4100")  # cpu request (m), more than a 4-CPU worker has
    notebook.click_button("Add pods")
    text = notebook.page.locator(".jp-Notebook").inner_text
    notebook.wait_for(lambda: "stays Pending" in text(), "the lab to say the pod stays Pending")
    assert "Insufficient cpu" in text()


@interaction("05_services")
def an_unready_pod_answers_no_requests_in_the_service_lab(notebook: NotebookPage) -> None:
    """The notebook says: make a pod unready, let time pass, and it drops out of the traffic."""
    notebook.click_button("Make unready")
    notebook.click_button("Let 5 s pass")
    notebook.click_button("Send requests")
    text = notebook.page.locator(".jp-Notebook").inner_text

    def unready_row() -> list[str]:
        return [line for line in text().splitlines() if "\tnot ready\t" in line]

    notebook.wait_for(unready_row, "the lab to list a pod as a not ready endpoint")
    assert unready_row()[0].split("\t")[-1].strip() == "0", unready_row()


@interaction("06_workshop")
def the_dashboard_lets_the_workshop_clock_run(notebook: NotebookPage) -> None:
    """The workshop tells learners to click Step after their own cells: the view must follow."""
    shown = notebook.shown()
    notebook.click_button("Step")
    assert notebook.wait_for_change(shown), "clicking Step changed nothing the dashboard shows"
