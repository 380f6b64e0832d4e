"""Chapter 1's labs: move a control, the model reruns, the figure redraws in place.

- ``IsolationLab``: pick the era, turn up batch's CPU demand, switch on its memory leak (and,
  for containers, switch limits off); see what each app needed and got, and who was killed.
- ``PackingLab``: number and size of apps, size of the servers; see how many servers each era
  needs and where their memory and CPU go.
- ``ScaleOutRace``: a traffic surge; see when each era's new capacity serves.

Each lab is an ipywidgets ``VBox`` (display it as a cell's last expression); its controls and
its ``figure`` (a plotly FigureWidget) are attributes, so code can drive it too.
"""

from __future__ import annotations

from dataclasses import replace

import ipywidgets as widgets
import plotly.graph_objects as go

from k8skit.eras import (
    Containerized,
    ModelError,
    Server,
    Surge,
    Traditional,
    Virtualized,
    pack,
    run,
    scale_out,
    scenarios,
)
from k8skit.eras.defaults import MIB_PER_GIB
from k8skit.eras.summary import ERAS
from k8skit.viz import FigurePatch
from k8skit.viz import eras as figures

_STYLE = {"description_width": "170px"}
_WIDE = widgets.Layout(width="480px")


def _slider(kind, description, value, low, high, step, **extra):
    return kind(value=value, min=low, max=high, step=step, description=description,
                continuous_update=False, style=_STYLE, layout=_WIDE, **extra)


def _checkbox(description, value):
    return widgets.Checkbox(value=value, description=description, indent=False, layout=_WIDE)


class _Lab(widgets.VBox):
    """Controls above a FigureWidget; any control change redraws the figure from the model."""

    def __init__(self, controls, figure_function):
        super().__init__()
        self.controls = tuple(controls)
        self.figure = go.FigureWidget(figure_function(self.result()))
        for control in self.controls:
            control.observe(self.redraw, names="value")
        self.children = (widgets.VBox(self.controls), self.figure)

    def result(self):
        """The model's answer for the controls' current values."""
        raise NotImplementedError

    def __repr__(self) -> str:
        # What a notebook shows where widgets cannot be drawn (a saved notebook, a text viewer).
        settings = ", ".join(f"{c.description}: {c.value}" for c in self.controls)
        return f"{type(self).__name__} ({settings}); run the cell in JupyterLab to use it"

    def patch(self, result) -> FigurePatch:
        raise NotImplementedError

    def redraw(self, change=None) -> None:
        """Recompute the model and update the figure; a model error becomes the title."""
        try:
            self.patch(self.result()).apply_to(self.figure)
        except ModelError as error:
            self.figure.layout["title.text"] = f"Cannot show this: {error}"
            self.figure.layout["title.subtitle.text"] = ""


class IsolationLab(_Lab):
    """Three apps on one server under an era, with a noisy and possibly leaking batch job."""

    def __init__(self, era: str = "traditional", noisy_cores: float = 6.0, leak: bool = False,
                 limits: bool = True):
        self.era = widgets.ToggleButtons(options=[e.key for e in ERAS], value=era,
                                         description="era", style=_STYLE)
        self.noisy_cores = _slider(widgets.FloatSlider, "batch asks for (cores)", noisy_cores,
                                   0.5, 16.0, 0.5, readout_format=".1f")
        self.leak = _checkbox(f"batch leaks {scenarios.LEAK_MIB_PER_S:g} MiB/s", leak)
        self.limits = _checkbox("containers have limits", limits)
        super().__init__((self.era, self.noisy_cores, self.leak, self.limits),
                         figures.isolation_figure)
        self._enable_limits()
        self.era.observe(self._enable_limits, names="value")

    def deployment(self):
        """The era the controls select."""
        if self.era.value == "container":
            return Containerized(limits=self.limits.value)
        return Traditional() if self.era.value == "traditional" else Virtualized()

    def result(self):
        apps = scenarios.lab_apps(self.noisy_cores.value, self.leak.value)
        return run(self.deployment(), scenarios.LAB_SERVER, apps, scenarios.LAB_SECONDS)

    def patch(self, result):
        return figures.isolation_patch(result)

    def _enable_limits(self, change=None):
        self.limits.disabled = self.era.value != "container"


class PackingLab(_Lab):
    """A fleet of equal apps packed onto servers by each era."""

    def __init__(self, apps: int = scenarios.PACKING_FLEET["count"],
                 app_cores: float = scenarios.PACKING_FLEET["cpu_cores"],
                 app_gib: float = scenarios.PACKING_FLEET["memory_mib"] / MIB_PER_GIB,
                 server_cores: int = int(scenarios.PACKING_SERVER.cores),
                 server_gib: int = int(scenarios.PACKING_SERVER.memory_mib / MIB_PER_GIB),
                 share_servers: bool = True):
        self.apps = _slider(widgets.IntSlider, "apps", apps, 1, 200, 1)
        self.app_cores = _slider(widgets.FloatSlider, "cores per app", app_cores,
                                 0.25, 8.0, 0.25)
        self.app_gib = _slider(widgets.FloatSlider, "memory per app (GiB)", app_gib,
                               0.25, 32.0, 0.25)
        self.server_cores = _slider(widgets.IntSlider, "cores per server", server_cores,
                                    4, 128, 4)
        self.server_gib = _slider(widgets.IntSlider, "memory per server (GiB)", server_gib,
                                  8, 1024, 8)
        self.share_servers = _checkbox("bare metal: apps share servers", share_servers)
        super().__init__((self.apps, self.app_cores, self.app_gib, self.server_cores,
                          self.server_gib, self.share_servers), figures.packing_figure)

    def result(self):
        server = Server(cores=self.server_cores.value,
                        memory_mib=self.server_gib.value * MIB_PER_GIB)
        fleet = scenarios.fleet(self.apps.value, self.app_cores.value,
                                self.app_gib.value * MIB_PER_GIB)
        eras = (Traditional(share_servers=self.share_servers.value), *ERAS[1:])
        return [pack(era, server, fleet) for era in eras]

    def patch(self, result):
        return figures.packing_patch(result)


class ScaleOutRace(_Lab):
    """A surge of traffic against each era's way of adding capacity."""

    def __init__(self, peak_factor: float = 4.0,
                 duration_s: int = int(scenarios.SURGE.duration_s),
                 startup_s: int = int(scenarios.web().startup_s)):
        self.peak_factor = _slider(widgets.FloatSlider, "surge (× normal traffic)",
                                   peak_factor, 1.0, 10.0, 0.5, readout_format=".1f")
        self.duration_s = _slider(widgets.IntSlider, "surge lasts (s)", duration_s, 10, 540, 10)
        self.startup_s = _slider(widgets.IntSlider, "app start-up (s)", startup_s, 0, 300, 5)
        super().__init__((self.peak_factor, self.duration_s, self.startup_s),
                         figures.scale_out_figure)

    def result(self):
        base = scenarios.SURGE
        surge = Surge(base_rps=base.base_rps, peak_rps=base.base_rps * self.peak_factor.value,
                      start_s=base.start_s, duration_s=self.duration_s.value)
        app = replace(scenarios.web(), startup_s=self.startup_s.value)
        return [scale_out(era, app, surge) for era in ERAS]

    def patch(self, result):
        return figures.scale_out_patch(result)
