"""Re-execute the course's notebooks and save them with their outputs, never with widget state.

Usage (from the repository's root)::

    python -m tools.run_notebooks                      # every notebook in notebooks/
    python -m tools.run_notebooks notebooks/00_start_here.ipynb

Why a tool and not JupyterLab's "Save": the committed outputs are what a reader sees before
running anything and what ``pytest --nbval`` compares a fresh run against, so they must come from
one clean run, top to bottom, in a fresh kernel of the environment that runs the tests. Each
notebook is executed with nbclient:

- ``store_widget_state=False``: otherwise the anywidget bundle behind every plotly FigureWidget
  (about 5 MB) lands in the notebook's metadata;
- ``record_timing=False``: no wall-clock timestamps in the saved cells;
- a widget's output keeps only its text description (``VBox(children=...``): its view refers by a
  random id to a model that is not saved, so it could never be drawn from the file anyway. In that
  text, the random id plotly gives each FigureWidget trace (``'uid': '<uuid4>'``, set in
  ``_plotly_utils/basevalidators.py``) is written as ``'uid': 'random'``; nbval masks it too
  (notebooks/nbval.cfg). So re-running an unchanged notebook leaves the file byte for byte as it
  was;
- the working directory is ``notebooks/``, as when a learner opens the notebook in JupyterLab;
- the kernel is ipykernel on this very interpreter, whatever ``python3`` kernel is registered in
  the user's Jupyter folders.

A notebook whose execution fails is reported and left untouched on disk.
"""

import argparse
import re
import sys
import time
from pathlib import Path

import ipykernel.kernelspec
import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from traitlets import default

from tools.notebooks import KERNELSPEC, notebook_paths, size_budget

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

#: A FigureWidget trace's random uid in a widget's text (possibly cut short by the repr's "…").
TRACE_UID = re.compile(r"('uid': ')[0-9a-f-]+")

#: Seconds one cell may run before the notebook counts as failed.
CELL_TIMEOUT_SECONDS = 600


class CurrentEnvironmentKernelSpecs(KernelSpecManager):
    """Answers every kernel name with ipykernel running on ``sys.executable``.

    The same idea as ``pytest --nbval-current-env``: the notebooks are executed by the environment
    that has the course installed, never by an interpreter a kernelspec elsewhere points to.
    """

    def get_kernel_spec(self, kernel_name):
        return self.kernel_spec_class(
            resource_dir=ipykernel.kernelspec.RESOURCES, **ipykernel.kernelspec.get_kernel_dict()
        )


class CurrentEnvironmentKernelManager(AsyncKernelManager):
    """A kernel manager that starts the current environment's kernel (see above)."""

    @default("kernel_spec_manager")
    def _current_environment_kernel_specs(self):
        return CurrentEnvironmentKernelSpecs()


def execute(path: Path) -> nbformat.NotebookNode:
    """Run the notebook at ``path`` in a fresh kernel; return it with its new outputs."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name=KERNELSPEC["name"],
        kernel_manager_class=CurrentEnvironmentKernelManager,
        store_widget_state=False,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    notebook.metadata.pop("widgets", None)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    _keep_widget_text_only(notebook)
    return notebook


def _keep_widget_text_only(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs = cell.get("outputs", [])
        for output in outputs:
            data = output.get("data", {})
            if data.pop(WIDGET_VIEW, None) is not None and "text/plain" in data:
                data["text/plain"] = TRACE_UID.sub(r"\1random", data["text/plain"])
        kept = [out for out in outputs if "data" not in out or out["data"]]
        cell["outputs"] = _merge_streams(kept)


def _merge_streams(outputs: list) -> list:
    """Join consecutive pieces of one stream: how a kernel splits a cell's printing into
    messages depends on timing, so only the joined text is the same on every run."""
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream"
                and previous["name"] == output["name"]):
            previous["text"] += output["text"]
        else:
            merged.append(output)
    return merged


def run(paths: list[Path]) -> bool:
    """Execute and save each notebook; print one line per notebook. True when all went well."""
    all_good = True
    for path in paths:
        started = time.perf_counter()
        try:
            notebook = execute(path)
        except CellExecutionError as error:
            print(f"{_shown(path)}: FAILED, left unchanged\n{error}", file=sys.stderr)
            all_good = False
            continue
        seconds = time.perf_counter() - started
        nbformat.write(notebook, path)
        size, budget = path.stat().st_size, size_budget(path)
        verdict = "ok" if size <= budget else "OVER BUDGET"
        print(
            f"{_shown(path)}: executed in {seconds:.1f} s, "
            f"{size / 1024:.1f} KB of {budget // 1024} KB budget, {verdict}"
        )
        all_good = all_good and size <= budget
    return all_good


def _shown(path: Path) -> str:
    """The path as a reader wants to see it: relative to the current folder when inside it."""
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.run_notebooks",
        description="Re-execute notebooks top to bottom and save them without widget state.",
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, help="notebooks to run (default: every notebook)"
    )
    args = parser.parse_args(argv)
    paths = [path.resolve() for path in args.paths] or notebook_paths()
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    return 0 if run(paths) else 1


if __name__ == "__main__":
    sys.exit(main())
