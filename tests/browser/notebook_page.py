"""One notebook open in JupyterLab, driven the way a learner drives it.

``NotebookPage`` wraps a Playwright page showing one notebook. It runs every cell, then answers the
questions the browser test asks: did a cell fail, did every widget and plot render, does moving a
slider or clicking a button change what is shown, did a widget callback log an error. Chapter
authors use the same methods in ``notebook_interactions.py`` to script "click this, expect that".

It talks to JupyterLab through ``window.jupyterapp`` (the server runs with
``--LabApp.expose_app_in_browser``): the notebook's own model says which cells ran and what they
output, which the page's pixels cannot tell reliably.
"""

import json
import time
from pathlib import Path

#: What JupyterLab's widget renderer shows in an output instead of a widget that cannot be shown:
#: a widget whose model never arrived, a failed view, and a view whose JavaScript threw.
WIDGET_FAILURES = (
    "Loading widget...",
    "Error displaying widget",
    "Click to show javascript error",
)

#: JavaScript that finds the notebook panel this page shows.
_PANEL = "window.jupyterapp?.shell.currentWidget"

# For every code cell: whether it has source, its execution count, its tags, and its outputs as
# nbformat JSON (what JupyterLab would save).
_CELLS_JS = f"""() => {_PANEL}.content.widgets
  .filter(cell => cell.model.type === 'code')
  .map(cell => ({{
    source: cell.model.sharedModel.getSource(),
    count: cell.model.executionCount,
    tags: cell.model.getMetadata('tags') || [],
    outputs: cell.model.outputs.toJSON(),
  }}))"""

_KERNEL_JS = f"""() => {{
  const context = {_PANEL}?.sessionContext;
  return {{
    ready: Boolean(context && context.isReady && context.session?.kernel),
    status: context?.session?.kernel?.status ?? 'none',
    name: context?.kernelDisplayName ?? '',
  }};
}}"""

# Each rendered output of a code cell, paired with the mime types the model gave it.
_RENDERED_OUTPUTS_JS = f"""() => {_PANEL}.content.widgets
  .filter(cell => cell.model.type === 'code')
  .flatMap((cell, cellIndex) => {{
    const outputs = cell.model.outputs.toJSON();
    const children = cell.outputArea.node.querySelectorAll(':scope > .jp-OutputArea-child');
    return outputs.map((output, index) => {{
      const node = children[index]?.querySelector('.jp-OutputArea-output');
      const plots = node ? [node, ...node.querySelectorAll('*')]
        .filter(element => element.classList.contains('js-plotly-plot')) : [];
      return {{
        cell: cellIndex,
        mimeTypes: Object.keys(output.data || {{}}),
        text: node ? node.innerText : null,
        elements: node ? node.querySelectorAll('*').length : 0,
        plots: plots.length,
        drawnPlots: plots.filter(plot => plot.querySelector('.main-svg')).length,
      }};
    }});
  }})"""

# Every plotly plot on the page: its traces and the parts of its layout a control would change.
# FigureWidget sends numbers as typed arrays; they are turned into plain lists.
_FIGURES_JS = """() => {
  const plain = value => JSON.parse(JSON.stringify(
    value, (key, part) => ArrayBuffer.isView(part) ? Array.from(part) : part));
  return [...document.querySelectorAll('.jp-Notebook .js-plotly-plot')].map(plot => ({
    drawn: Boolean(plot.querySelector('.main-svg')),
    data: plain(plot.data || []),
    layout: plain({
      title: plot.layout?.title, shapes: plot.layout?.shapes,
      annotations: plot.layout?.annotations, xaxis: plot.layout?.xaxis?.range,
      yaxis: plot.layout?.yaxis?.range,
    }),
  }));
}"""

# What the learner sees change when a control moves: every figure, and the text of every output
# apart from the controls' own readouts (a slider's number always changes with the slider).
_SHOWN_JS = f"""() => JSON.stringify({{
  figures: ({_FIGURES_JS})().map(figure => [figure.data, figure.layout]),
  text: [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')].map(output => {{
    const copy = output.cloneNode(true);
    copy.querySelectorAll('.widget-readout, .js-plotly-plot, .noUi-target')
      .forEach(part => part.remove());
    return copy.textContent;
  }}),
}})"""

_SLIDERS = ".jp-Notebook .widget-slider"
_BUTTONS = ".jp-Notebook button.widget-button, .jp-Notebook button.widget-toggle-button"


class NotebookPage:
    """A notebook open in JupyterLab; ``url`` is the server's base URL, ``path`` is server-side."""

    def __init__(self, browser, url: str, path: str, *, timeout_seconds: float = 300):
        self.timeout_seconds = timeout_seconds
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.console_errors: list[str] = []
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.page.on(
            "console",
            lambda message: self.console_errors.append(message.text)
            if message.type == "error"
            else None,
        )
        # "reset": a fresh workspace, so the notebooks opened before are not opened again.
        self.page.goto(f"{url}/lab/tree/{path}?reset")
        self.page.wait_for_function(f"() => {_PANEL}?.content?.widgets?.length > 0")

    def close(self) -> None:
        """Shut the notebook's kernel down and close the page."""
        self.page.evaluate(f"() => {_PANEL}?.sessionContext.shutdown()")
        self.page.close()

    # -- running -------------------------------------------------------------------------------

    def wait_for_kernel(self) -> None:
        """Wait until the notebook has a kernel and that kernel is idle.

        The execution indicator reads "idle" before any kernel is attached, so the kernel's own
        status and name are what count.
        """

        def kernel_ready() -> bool:
            kernel = self.page.evaluate(_KERNEL_JS)
            named = kernel["name"] not in ("", "No Kernel")
            return kernel["ready"] and named and kernel["status"] == "idle"

        self.wait_for(kernel_ready, "the notebook's kernel to start")

    def run_all(self) -> None:
        """Clear the saved outputs, run every cell, and wait until the last one has finished.

        The saved outputs are cleared first so that every output checked afterwards comes from
        this run. "Run All" stops at a failing cell, as it does for a learner, so the wait also
        ends when a cell has failed.
        """
        self.wait_for_kernel()
        self._command("notebook:clear-all-cell-outputs")
        self.wait_for(
            lambda: all(cell["count"] is None and not cell["outputs"] for cell in self.cells()),
            "the saved outputs to be cleared",
        )
        self._command("notebook:run-all-cells")

        def finished():
            kernel = self.page.evaluate(_KERNEL_JS)
            cells = [cell for cell in self.cells() if cell["source"].strip()]
            all_ran = all(cell["count"] is not None for cell in cells)
            return kernel["status"] == "idle" and (all_ran or self.cell_errors())

        self.wait_for(finished, "every cell to run", settle=True)

    def wait_until_idle(self) -> None:
        """Wait until the kernel has handled what the last interaction sent it."""
        self.wait_for(
            lambda: self.page.evaluate(_KERNEL_JS)["status"] == "idle",
            "the kernel to become idle",
            settle=True,
        )

    def wait_for(self, condition, what: str, *, settle: bool = False):
        """Poll ``condition`` until it is truthy (twice in a row when ``settle``), or fail.

        For chapter authors too: ``notebook.wait_for(lambda: ..., "the pods to move")``.

        Settling matters after an interaction: the kernel may still be idle for a moment before
        the message the browser just sent reaches it.
        """
        deadline = time.monotonic() + self.timeout_seconds
        in_a_row = 0
        while time.monotonic() < deadline:
            result = condition()
            in_a_row = in_a_row + 1 if result else 0
            if in_a_row >= (2 if settle else 1):
                return result
            self.page.wait_for_timeout(250)
        raise AssertionError(
            f"timed out after {self.timeout_seconds:.0f} s waiting for {what}; cells: "
            + json.dumps([cell["count"] for cell in self.cells()])
        )

    # -- reading -------------------------------------------------------------------------------

    def cells(self) -> list[dict]:
        """The code cells as JupyterLab holds them: source, execution count, tags, outputs."""
        return self.page.evaluate(_CELLS_JS)

    def cell_errors(self) -> list[str]:
        """The errors shown by cells that are not tagged ``raises-exception``."""
        return [
            f"cell [{cell['count']}]: {output['ename']}: {output['evalue']}"
            for cell in self.cells()
            if "raises-exception" not in cell["tags"]
            for output in cell["outputs"]
            if output["output_type"] == "error"
        ]

    def rendered_outputs(self) -> list[dict]:
        """Each output with its mime types and what was drawn for it (text, plots)."""
        return self.page.evaluate(_RENDERED_OUTPUTS_JS)

    def figures(self) -> list[dict]:
        """Every plotly plot on the page, in order: ``drawn``, ``data`` (traces), ``layout``."""
        return self.page.evaluate(_FIGURES_JS)

    def shown(self) -> str:
        """A fingerprint of what the outputs show, to tell whether an interaction changed it."""
        return self.page.evaluate(_SHOWN_JS)

    def logged_errors(self) -> list[str]:
        """Errors the kernel reported outside any cell, e.g. from a widget's callback.

        JupyterLab sends those to the notebook's log console (Python exceptions and stderr at
        the "error" level), not to a cell's output, so the console is opened, read and closed.
        """
        source = self.page.evaluate(f"() => {_PANEL}.context.path")
        self._command("logconsole:open", {"source": source, "activate": False})
        self.page.wait_for_selector(".jp-LogConsolePanel")
        errors = self.page.evaluate(
            """() => [...document.querySelectorAll('.jp-LogConsolePanel .jp-OutputArea-child')]
              .filter(entry => entry.querySelector('[data-log-level="error"]'))
              .map(entry => entry.innerText.slice(0, 500))"""
        )
        self._command("logconsole:open")  # the command toggles: this closes the console again
        self.page.wait_for_selector(".jp-LogConsolePanel", state="detached")
        return errors

    # -- controls ------------------------------------------------------------------------------

    def slider_count(self) -> int:
        return self.page.locator(_SLIDERS).count()

    def slider_label(self, index: int) -> str:
        slider = self.page.locator(_SLIDERS).nth(index)
        label = slider.locator(".widget-label").first
        return (label.inner_text() if label.count() else "") or f"slider {index + 1}"

    def slider_value(self, index: int) -> str | None:
        readout = self.page.locator(_SLIDERS).nth(index).locator(".widget-readout")
        return readout.first.inner_text() if readout.count() else None

    def slider_enabled(self, index: int) -> bool:
        return not self.page.locator(_SLIDERS).nth(index).locator(".noUi-target[disabled]").count()

    def nudge_slider(self, index: int) -> tuple[str | None, str | None]:
        """Move a slider one step, as a learner does with the arrow keys; return (before, after).

        It steps right, or left when the slider already sits at its maximum. The readout is
        updated by the browser at once; what the kernel redraws is awaited by ``wait_for_change``.
        """
        before = self.slider_value(index)
        for key in ("ArrowRight", "ArrowLeft"):
            self._press_on_slider(index, key)
            self.page.wait_for_timeout(100)
            if self.slider_value(index) != before:
                break
        return before, self.slider_value(index)

    def wait_for_change(self, shown_before: str, seconds: float = 15) -> bool:
        """Whether what the outputs show differs from ``shown_before`` within ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.shown() != shown_before:
                self.wait_until_idle()
                return True
            self.page.wait_for_timeout(200)
        return False

    def set_slider(self, index: int, value: str) -> None:
        """Step a slider with the arrow keys until its readout shows ``value``."""
        for _ in range(1000):
            current = self.slider_value(index)
            if current == value:
                self.wait_until_idle()
                return
            key = "ArrowRight" if float(current) < float(value) else "ArrowLeft"
            self._press_on_slider(index, key)
        raise AssertionError(f"{self.slider_label(index)} never reached {value}")

    def button_labels(self) -> list[str]:
        return [
            button.inner_text() or button.get_attribute("title") or f"button {index + 1}"
            for index, button in enumerate(self.page.locator(_BUTTONS).all())
        ]

    def click_button(self, index_or_label: int | str) -> None:
        """Click a widget button, by position or by its text, and wait for the kernel."""
        buttons = self.page.locator(_BUTTONS)
        if isinstance(index_or_label, str):
            button = buttons.filter(has_text=index_or_label).first
        else:
            button = buttons.nth(index_or_label)
        button.click()
        self.wait_until_idle()

    # -- pictures ------------------------------------------------------------------------------

    def screenshot(self, path: Path) -> None:
        """Save the whole notebook, top to bottom, as one picture.

        The notebook scrolls inside JupyterLab's panel, so a full-page screenshot shows only one
        window's worth; the viewport is grown to the notebook's height instead (at most
        16000 pixels, beyond which Chromium's screenshots become unwieldy).
        """
        self._command("application:toggle-left-area")
        for _ in range(3):
            height = self.page.evaluate(
                """() => {
                  const panel = document.querySelector('.jp-WindowedPanel-outer');
                  if (!panel) return 0;  // no notebook on the page: keep the window as it is
                  panel.scrollTop = 0;
                  return Math.ceil(panel.getBoundingClientRect().top + panel.scrollHeight + 40);
                }"""
            )
            if height <= self.page.viewport_size["height"]:
                break
            self.page.set_viewport_size({"width": 1280, "height": min(height, 16000)})
            self.page.wait_for_timeout(500)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))

    # -- plumbing ------------------------------------------------------------------------------

    def _press_on_slider(self, index: int, key: str) -> None:
        handle = self.page.locator(_SLIDERS).nth(index).locator(".noUi-handle").first
        handle.focus()
        handle.press(key)

    def _command(self, command: str, args: dict | None = None) -> None:
        self.page.evaluate(
            "([command, args]) => window.jupyterapp.commands.execute(command, args)",
            [command, args or {}],
        )
