"""The environment check of notebook 00: a slider that drives a plotly FigureWidget.

Every interactive figure in the course travels the same road, and this check walks it once:
the browser draws an ipywidgets slider (the JupyterLab widgets extension), a drag is sent to the
kernel over a comm (ipywidgets), Python computes a new curve, and plotly's ``FigureWidget`` (an
anywidget since plotly 6) pushes it back to the browser, which redraws the plot. If the curve
follows the slider, every hop works; if not, notebook 00 says which part to repair.

The versions printed beside it are those of the kernel's environment, written as pip
requirements (``name==version``) so a learner can paste them into a question as they are.
"""

import math
import platform
from importlib import metadata

import ipywidgets as widgets
import plotly.graph_objects as go

#: The packages the course's pictures depend on, in the order a learner would check them.
COURSE_PACKAGES = ("k8skit", "jupyterlab", "ipywidgets", "plotly", "anywidget", "ipykernel")

#: Points along one period of the wave: enough for a smooth curve, few enough to redraw at once.
SAMPLES = 121


def wave(frequency: int, samples: int = SAMPLES) -> tuple[list[float], list[float]]:
    """The curve the check draws: ``sin(frequency * x)`` over one period of the slowest wave."""
    xs = [2 * math.pi * i / (samples - 1) for i in range(samples)]
    return xs, [round(math.sin(frequency * x), 6) for x in xs]


def wave_figure(frequency: int = 1) -> go.Figure:
    """The wave as a plain plotly figure: how most figures of the course are shown.

    A plain figure is saved in the notebook as plotly JSON and drawn by JupyterLab's plotly
    renderer; it needs no kernel to be seen, but it does not react to controls.
    """
    xs, ys = wave(frequency)
    return go.Figure(
        data=[go.Scatter(x=xs, y=ys, mode="lines", name="sin")],
        layout=go.Layout(
            title=_title(frequency),
            height=320,
            margin={"l": 50, "r": 20, "t": 50, "b": 40},
            xaxis={"title": "x"},
            yaxis={"title": "sin(frequency · x)", "range": [-1.1, 1.1]},
        ),
    )


def environment_check(frequency: int = 1) -> widgets.VBox:
    """A slider and the wave it controls, live: dragging the slider redraws the plot.

    The figure's title repeats the slider's value, so the learner sees both the data and the
    layout follow the control.
    """
    slider = widgets.IntSlider(
        value=frequency, min=1, max=6, description="Frequency", continuous_update=True
    )
    figure = go.FigureWidget(wave_figure(frequency))

    def redraw(change: dict) -> None:
        _, new_ys = wave(change["new"])
        with figure.batch_update():
            figure.data[0].y = new_ys
            figure.layout.title = _title(change["new"])

    slider.observe(redraw, names="value")
    return widgets.VBox([slider, figure])


def _title(frequency: int) -> str:
    return f"Frequency {frequency}: {frequency} full wave{'s' if frequency > 1 else ''}"


def versions(packages: tuple[str, ...] = COURSE_PACKAGES) -> dict[str, str | None]:
    """The Python version and each package's installed version (``None`` when it is missing)."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in packages:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def versions_report(packages: tuple[str, ...] = COURSE_PACKAGES) -> str:
    """The versions as pip requirement lines; a missing package is named as such.

    The README's set-up command installs every one of them, so that is the fix to point to.
    """
    lines = []
    for name, version in versions(packages).items():
        if version is None:
            lines.append(f"{name}: NOT INSTALLED (run the README's set-up command again)")
        else:
            lines.append(f"{name}=={version}")
    return "\n".join(lines)
