"""Set-up shared by the whole test session.

- Jupyter's and IPython's state (kernel connection files, IPython's history database, settings)
  goes to a temporary folder for the session instead of the home folder. The kernels nbval starts
  for the notebooks inherit these variables, and so does the browser test's JupyterLab server.
- Hypothesis runs without a deadline: on a busy two-core CI machine an example can be slow for
  reasons that have nothing to do with the code under test. In CI it is also derandomized, so a
  failure there reproduces on the next run.
"""

import os
import shutil
import tempfile

from hypothesis import settings

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
    _state_dir = tempfile.mkdtemp(prefix="k8skit-jupyter-state-")
    for variable, folder in JUPYTER_STATE_VARIABLES.items():
        os.environ[variable] = os.path.join(_state_dir, folder)


def pytest_unconfigure(config):
    if _state_dir:
        shutil.rmtree(_state_dir, ignore_errors=True)
