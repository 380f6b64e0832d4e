"""Chapter 4's notebook: its manifests are the files it ships, and its saved outputs show what
its prose says they show.

nbval proves that a fresh run reproduces the saved outputs; these tests prove that those outputs
still support the text around them (if the simulator changes and the notebook is re-executed, a
sentence such as "the waits double" must not silently become false).
"""

import re
from pathlib import Path

import nbformat
import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
NOTEBOOK = REPOSITORY / "notebooks" / "04_pods.ipynb"
MANIFESTS = REPOSITORY / "assets" / "manifests" / "04"


def code_cells(notebook: Path) -> list:
    return [cell for cell in nbformat.read(notebook, as_version=4).cells
            if cell.cell_type == "code"]


def kubectl_bodies(notebook: Path) -> list[str]:
    """The manifests of a notebook's ``%%kubectl`` cells."""
    return [cell.source.split("\n", 1)[1] for cell in code_cells(notebook)
            if cell.source.startswith("%%kubectl")]


def saved_output(notebook: Path, snippet: str, whole: bool = False) -> str:
    """The text a notebook's one code cell containing ``snippet`` (or, if ``whole``, made of
    exactly ``snippet``) printed when it was saved."""
    cells = [cell for cell in code_cells(notebook)
             if (cell.source.strip() == snippet if whole else snippet in cell.source)]
    assert len(cells) == 1, f"{len(cells)} cells contain {snippet!r}"
    texts = []
    for output in cells[0].outputs:
        texts.append(output.get("text") or output.get("data", {}).get("text/plain", ""))
    return "".join(texts)


def table(text: str) -> dict[str, list[str]]:
    """A kubectl table's rows by their first cell (headers included)."""
    return {row.split()[0]: row.split() for row in text.splitlines() if row.strip()}


@pytest.mark.parametrize("body", kubectl_bodies(NOTEBOOK))
def test_every_manifest_shown_is_a_file_the_chapter_ships(body):
    shipped = {path.read_text().rstrip("\n"): path.name for path in MANIFESTS.glob("*.yaml")}
    assert body.rstrip("\n") in shipped


def test_a_pod_goes_from_creating_to_running_with_an_address():
    created = table(saved_output(NOTEBOOK, "%kubectl get pods -o wide", whole=True))
    running = table(saved_output(NOTEBOOK, "c.run(10)\n%kubectl get pods -o wide"))
    assert created["nginx"][1:3] == ["0/1", "ContainerCreating"]
    assert running["nginx"][1:3] == ["1/1", "Running"]
    assert re.fullmatch(r"10\.244\.\d+\.\d+", running["nginx"][5])


def test_the_sidecar_reads_what_the_other_container_wrote_and_reaches_nginx_on_localhost():
    assert saved_output(NOTEBOOK, "-c nginx-container -- curl -s localhost").strip() == (
        "Hello from the debian container")
    assert "<title>Welcome to nginx!</title>" in saved_output(NOTEBOOK, "grep title")
    processes = saved_output(NOTEBOOK, "-- ps")
    assert "nginx" not in processes and "sleep 3600" in processes


def test_a_task_that_exits_0_succeeds_and_one_that_exits_1_fails():
    rows = table(saved_output(NOTEBOOK, "PHASE:.status.phase"))
    assert rows["succeeds"][1:] == ["Succeeded", "Completed", "0"]
    assert rows["fails"][1:] == ["Failed", "Error", "1"]


def test_the_liveness_probe_fails_three_times_then_the_container_is_restarted_once():
    events = saved_output(NOTEBOOK, "involvedObject.name=liveness-exec")
    assert "Liveness probe failed" in events and "will be restarted" in events
    restarted = table(saved_output(NOTEBOOK, "c.run(35)"))["liveness-exec"]
    assert restarted[1:4] == ["1/1", "Running", "1"]


def test_the_waits_between_crash_loop_restarts_grow():
    printed = saved_output(NOTEBOOK, "for number, (previous, at)")
    gaps = [int(gap) for gap in re.findall(r"(\d+) s after restart", printed)]
    assert len(gaps) >= 4
    assert all(later > earlier for earlier, later in zip(gaps, gaps[1:], strict=False)), gaps


def test_the_memory_hog_was_oom_killed():
    assert table(saved_output(NOTEBOOK, "LAST-TERMINATED"))["memory-demo-2"][1] == "OOMKilled"


def test_the_three_qos_pods_have_the_three_classes_in_the_tables_order():
    rows = table(saved_output(NOTEBOOK, "QOS:.status.qosClass"))
    assert [rows[name][1] for name in ("qos-demo", "qos-demo-2", "qos-demo-3")] == [
        "Guaranteed", "Burstable", "BestEffort"]


def test_the_pod_too_big_for_any_node_stays_pending_for_lack_of_memory():
    printed = saved_output(NOTEBOOK, "involvedObject.name=too-big")
    assert table(printed)["too-big"][2] == "Pending"
    assert "0/4 nodes are available:" in printed and "3 Insufficient memory" in printed
