"""Set-up shared by the whole test session.

- Jupyter's and IPython's state (kernel connection files, IPython's history database, settings)
  goes to a temporary folder for the session instead of the home folder. The kernels nbval starts
  for the notebooks inherit these variables, and so does the browser test's JupyterLab server.
- nbval compares plotly figures without plotly's theme: the saved figure JSON carries the whole
  default template (``layout.template``) and, in some plotly versions, a ``config`` entry. Both
  come from the installed plotly, not from the course, and change with its version, as the
  installed versions printed by notebook 00 do (those are masked by notebooks/nbval.cfg, which
  only handles text). The traces and the rest of the layout are still compared exactly.
- Hypothesis runs without a deadline: on a busy two-core CI machine an example can be slow for
  reasons that have nothing to do with the code under test. In CI it is also derandomized, so a
  failure there reproduces on the next run.
"""

import copy
import os
import shutil
import tempfile

from hypothesis import settings
from nbval.plugin import IPyNbCell

PLOTLY_FIGURE = "application/vnd.plotly.v1+json"

JUPYTER_STATE_VARIABLES = {
    "JUPYTER_CONFIG_DIR": "config",
    "JUPYTER_DATA_DIR": "data",
    "JUPYTER_RUNTIME_DIR": "runtime",
    "IPYTHONDIR": "ipython",
}

settings.register_profile(
    "course", deadline=None, derandomize=os.environ.get("CI", "").lower() == "true"
)
settings.load_profile("course")

_state_dir: str | None = None


def pytest_configure(config):
    global _state_dir
    IPyNbCell.compare_outputs = _compare_outputs_without_plotly_theme
    _state_dir = tempfile.mkdtemp(prefix="k8skit-jupyter-state-")
    for variable, folder in JUPYTER_STATE_VARIABLES.items():
        os.environ[variable] = os.path.join(_state_dir, folder)


def pytest_unconfigure(config):
    IPyNbCell.compare_outputs = _compare_outputs
    if _state_dir:
        shutil.rmtree(_state_dir, ignore_errors=True)


def _without_plotly_theme(outputs: list) -> list:
    """The outputs, with each plotly figure stripped of what the installed plotly adds."""
    normalized = []
    for output in outputs:
        figure = output.get("data", {}).get(PLOTLY_FIGURE)
        if figure is not None:
            output = copy.deepcopy(output)
            figure = output["data"][PLOTLY_FIGURE]
            figure.pop("config", None)
            figure.get("layout", {}).pop("template", None)
        normalized.append(output)
    return normalized


_compare_outputs = IPyNbCell.compare_outputs


def _compare_outputs_without_plotly_theme(cell, test, ref, skip_compare=None):
    test, ref = _without_plotly_theme(test), _without_plotly_theme(ref)
    return _compare_outputs(cell, test, ref, skip_compare)
