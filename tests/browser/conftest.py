"""A JupyterLab server and a headless Chromium for the real-browser test.

The browser test needs Debian's Chromium at /usr/bin/chromium and the Playwright package (never
``playwright install``: it downloads a browser build of its own). Where either is missing the test
skips with a one-line reason, unless the run must prove the notebooks in a browser: with ``CI=true``
or ``K8SKIT_REQUIRE_BROWSER=1`` (which ``.ci/run`` sets) it fails instead.

The server works on a copy of the course in a temporary folder, so nothing JupyterLab saves while
the test runs (autosave, a dirty notebook) can touch the committed notebooks, and Jupyter's and
IPython's state goes to temporary folders, never to the home folder.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tools.notebooks import NOTEBOOKS_DIR, REPOSITORY

#: Debian's Chromium; K8SKIT_CHROMIUM points elsewhere (another system's Chromium or Chrome).
CHROMIUM = Path(os.environ.get("K8SKIT_CHROMIUM", "/usr/bin/chromium"))

#: Headless, as root, and with none of the background traffic Chromium sends to Google's
#: hosts (refused on a machine without network, many times over).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: JupyterLab settings for the test, written as user settings of a temporary settings folder:
#: no "Get notified about Jupyter news?" toast over the page, no autosave, and every cell kept
#: in the page (windowing "none"), so that plots far down a notebook are drawn without scrolling.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none", "scrollPastEnd": False},
}

SERVER_START_SECONDS = 60


def browser_required() -> bool:
    """Whether a missing browser must fail the run rather than skip the test."""
    return os.environ.get("CI", "").lower() == "true" or os.environ.get(
        "K8SKIT_REQUIRE_BROWSER"
    ) == "1"


def _missing_browser_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set K8SKIT_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium driven by Playwright, for the whole test session."""
    reason = _missing_browser_reason()
    if reason and browser_required():
        pytest.fail(f"the browser test must run here (CI or K8SKIT_REQUIRE_BROWSER=1): {reason}")
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _write_lab_settings(settings_dir: Path) -> None:
    for plugin, values in LAB_SETTINGS.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def _copy_course(course: Path) -> None:
    """Copy what a notebook can reach (the notebooks and the assets beside them)."""
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    shutil.copytree(NOTEBOOKS_DIR, course / "notebooks", ignore=ignore)
    if (REPOSITORY / "assets").is_dir():
        shutil.copytree(REPOSITORY / "assets", course / "assets", ignore=ignore)


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory):
    """A JupyterLab server on a free loopback port, serving a copy of the course; yields its URL."""
    scratch = tmp_path_factory.mktemp("jupyterlab")
    course, state = scratch / "course", scratch / "state"
    _copy_course(course)
    _write_lab_settings(state / "lab-settings")
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(state / "config"),
        JUPYTER_DATA_DIR=str(state / "data"),
        JUPYTER_RUNTIME_DIR=str(state / "runtime"),
        IPYTHONDIR=str(state / "ipython"),
        JUPYTERLAB_SETTINGS_DIR=str(state / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(state / "lab-workspaces"),
    )
    port = _free_port()
    command = [
        *(sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root"),
        *("--ip", "127.0.0.1", "--port", str(port)),
        *("--IdentityProvider.token=", "--ServerApp.password="),
        f"--ServerApp.root_dir={course}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.expose_app_in_browser=True",
    ]
    log_path = scratch / "jupyterlab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(server, url, log_path)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_for_server(server: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/api/status", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    log = log_path.read_text()
    pytest.fail(f"JupyterLab did not answer within {SERVER_START_SECONDS} s:\n{log}")


def pytest_terminal_summary(terminalreporter):
    """Say plainly, near the end of the log, which notebooks ran in the browser and how."""
    reports = [
        report
        for outcome in ("passed", "failed", "skipped", "error")
        for report in terminalreporter.stats.get(outcome, [])
        if "tests/browser/" in report.nodeid
        and (report.when == "call" or (report.when == "setup" and not report.passed))
    ]
    if not reports:
        return
    terminalreporter.section("real browser: JupyterLab in Chromium")
    for report in reports:
        line = f"{report.outcome:8} {report.nodeid.rpartition('::')[2]}"
        if report.skipped:
            line += f" ({report.longrepr[2]})"
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"screenshots: {Path(__file__).parent / 'screenshots'}")
