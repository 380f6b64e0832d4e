"""The course installs and is checked as its README promises.

- pyproject.toml declares the dependencies; environment.yml (conda, Binder) mirrors them, each
  entry with a comment saying why it is there;
- the README's two commands are where CI and learners find them, and CI runs the test command
  from the README rather than a copy;
- the single ``pytest`` of that command collects the unit tests, every notebook and the browser
  test;
- ruff finds nothing to complain about.
"""

import os
import subprocess
import sys

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from tools.notebooks import REPOSITORY, notebook_paths
from tools.readme_commands import readme_command, stages

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

PYPROJECT = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
ENVIRONMENT_TEXT = (REPOSITORY / "environment.yml").read_text(encoding="utf-8")
ENVIRONMENT = yaml.safe_load(ENVIRONMENT_TEXT)

#: What ruff checks: the Python code of the project (the notebooks are checked by nbval).
LINTED_FOLDERS = ("k8skit", "tests", "tools", "benchmarks")


def environment_python() -> str:
    (python,) = [dep for dep in ENVIRONMENT["dependencies"] if str(dep).startswith("python=")]
    return python.split("=", 1)[1]


def requirements_by_name(lines: list[str]) -> dict[str, str]:
    """``{name: version specifier}`` for requirement lines that apply to the conda Python."""
    marker_environment = {"python_version": environment_python()}
    requirements = {}
    for line in lines:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(marker_environment):
            requirements[canonicalize_name(requirement.name)] = str(requirement.specifier)
    return requirements


def pyproject_requirements() -> dict[str, str]:
    project = PYPROJECT["project"]
    return requirements_by_name(project["dependencies"] + project["optional-dependencies"]["test"])


def environment_requirements() -> dict[str, str]:
    conda = [
        dep
        for dep in ENVIRONMENT["dependencies"]
        if isinstance(dep, str) and not dep.startswith("python=") and dep != "pip"
    ]
    (pip_section,) = [dep["pip"] for dep in ENVIRONMENT["dependencies"] if isinstance(dep, dict)]
    return requirements_by_name(conda + [dep for dep in pip_section if not dep.startswith("-e")])


def test_environment_yml_lists_the_same_packages_and_bounds_as_pyproject():
    in_pyproject, in_environment = pyproject_requirements(), environment_requirements()
    differences = {
        name: (in_pyproject.get(name), in_environment.get(name))
        for name in in_pyproject.keys() | in_environment.keys()
        if in_pyproject.get(name) != in_environment.get(name)
    }
    assert not differences, f"name: (pyproject.toml, environment.yml): {differences}"


def test_environment_yml_installs_the_course_package_itself_with_pip():
    (pip_section,) = [dep["pip"] for dep in ENVIRONMENT["dependencies"] if isinstance(dep, dict)]
    assert "-e ." in pip_section
    assert "conda-forge" in ENVIRONMENT["channels"]


def test_environment_yml_python_is_one_the_package_supports():
    supported = SpecifierSet(PYPROJECT["project"]["requires-python"])
    assert environment_python() in supported


def test_every_environment_yml_entry_says_why_it_is_there():
    entries = [line for line in ENVIRONMENT_TEXT.splitlines() if line.lstrip().startswith("- ")]
    entries = [line for line in entries if line.strip() not in ("- conda-forge", "- pip:")]
    without_comment = [line.strip() for line in entries if "#" not in line]
    assert not without_comment, f"entries without a comment: {without_comment}"


def test_readme_setup_command_installs_and_opens_the_first_notebook():
    steps = stages(readme_command("setup"))
    assert steps[0] == "python3 -m venv .venv"
    assert ".venv/bin/pip install -e ." in steps
    assert steps[-1].startswith(".venv/bin/jupyter lab "), "the last step opens JupyterLab"
    # The whole course folder is served (notebooks reach ../assets), and notebook 00 is opened.
    assert "--notebook-dir=." in steps[-1].split()
    assert (REPOSITORY / steps[-1].split()[-1]) == notebook_paths()[0]


def test_readme_test_command_installs_the_test_extra_and_runs_bare_pytest():
    steps = stages(readme_command("test"))
    assert steps == [
        "python3 -m venv .venv",
        ".venv/bin/pip install -e '.[test]'",
        ".venv/bin/python -m pytest",
    ]


def test_ci_runs_the_readme_test_command_not_a_copy():
    ci_script = (REPOSITORY / ".ci" / "run").read_text(encoding="utf-8")
    assert "tools.readme_commands test" in ci_script
    assert "-m pytest" not in ci_script
    assert os.access(REPOSITORY / ".ci" / "run", os.X_OK)


def test_bare_pytest_collects_the_tests_every_notebook_and_the_browser_test():
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout.splitlines()
    for notebook in notebook_paths():
        relative = notebook.relative_to(REPOSITORY).as_posix()
        assert any(line.startswith(f"{relative}::Cell") for line in collected), relative
    assert any(line.startswith("tests/browser/test_jupyterlab.py::") for line in collected)
    assert any(line.startswith("tests/test_packaging.py::") for line in collected)
    assert not any(line.startswith("tests/") and ".py::Cell" in line for line in collected)


@pytest.mark.parametrize("folder", [f for f in LINTED_FOLDERS if (REPOSITORY / f).is_dir()])
def test_ruff_finds_no_problem(folder):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format=concise", folder],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
