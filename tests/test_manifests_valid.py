"""Every manifest the course ships is valid Kubernetes, and the simulator takes it as it is.

The course promises that what a learner applies here works unchanged on a real cluster. So every
manifest it shows is checked against the JSON schema of the real API (generated from Kubernetes'
OpenAPI documents and shipped by ``kubernetes_validate``), in strict mode: a misspelt or
misplaced field fails, as ``kubectl apply`` against a real API server would refuse it. Two
versions: the one the simulator plays (``KUBELET_VERSION``) and the newest the package ships, so
that a manifest using a removed API shows up as soon as the package knows the release.

Where manifests are found:

- every ``.yaml``/``.yml`` file under ``assets/manifests/``;
- in every notebook, the body of each ``%%kubectl`` cell that applies or creates from standard
  input, and each literal triple-quoted string passed to ``.apply(...)`` (an f-string is a
  template, not a manifest, and is left out);
- the same literal strings in the solutions of the exercises (``stepN.solution()`` shows them).

Each source is also applied, whole, to a fresh simulated cluster, which must accept it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import kubernetes_validate
import nbformat
import pytest
import yaml

from k8skit import Cluster
from k8skit.exercises import REGISTRY
from k8skit.exercises.core import load_all_chapters
from k8skit.node.kubelet.version import KUBELET_VERSION

REPOSITORY = Path(__file__).resolve().parent.parent
MANIFESTS_DIR = REPOSITORY / "assets" / "manifests"
NOTEBOOKS_DIR = REPOSITORY / "notebooks"

#: The release the simulator plays, and the newest one whose schema the package ships.
VERSIONS = (KUBELET_VERSION.lstrip("v"), kubernetes_validate.latest_version())

#: ``%%kubectl`` cell commands that read the cell's body as manifests (an empty line means
#: ``apply -f -``, see k8skit/kubectl/magics.py).
FROM_STDIN = re.compile(r"^(?:|(?:apply|create|replace)\b.*\s-f\s+-(?:\s.*)?)$")


@dataclass(frozen=True)
class Source:
    """Manifests as the course shows them: where, the text, and the kubectl command that
    applies them (``apply -f -`` unless a ``%%kubectl`` cell says otherwise)."""

    where: str
    text: str
    command: str = "apply -f -"

    def documents(self) -> list[dict]:
        return [doc for doc in yaml.safe_load_all(self.text) if doc is not None]


def applied_strings(code: str) -> list[str]:
    """The literal strings passed as the first argument to any ``.apply(...)`` call in
    ``code``. Code that is not plain Python (IPython magics) is read line by line."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        python = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                           for line in code.splitlines())
        try:
            tree = ast.parse(python)
        except SyntaxError:
            return []
    return [node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "apply" and node.args
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
            and "\n" in node.args[0].value]


def notebook_sources(path: Path) -> list[Source]:
    sources = []
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        where = f"{path.name} cell {index}"
        first, _, body = cell.source.partition("\n")
        if first.startswith("%%kubectl"):
            command = first[len("%%kubectl"):].strip()
            if FROM_STDIN.match(command):
                sources.append(Source(where, body, command or "apply -f -"))
            continue
        for number, text in enumerate(applied_strings(cell.source), start=1):
            sources.append(Source(f"{where}, apply #{number}", text))
    return sources


def all_sources() -> list[Source]:
    sources = [Source(str(path.relative_to(REPOSITORY)), path.read_text())
               for path in sorted(MANIFESTS_DIR.rglob("*"))
               if path.suffix in (".yaml", ".yml")]
    for path in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        sources += notebook_sources(path)
    load_all_chapters()
    for exercise_id, exercise in sorted(REGISTRY.items()):
        for number, text in enumerate(applied_strings(exercise.solution_code), start=1):
            sources.append(Source(f"{exercise_id} solution, apply #{number}", text))
    return sources


SOURCES = all_sources()


def named(obj: dict) -> str:
    return f"{obj.get('kind', '?')}/{(obj.get('metadata') or {}).get('name', '?')}"


# -- the finder finds what the course shows ---------------------------------------------------


def test_the_manifests_of_every_kind_of_place_are_found():
    wheres = [source.where for source in SOURCES]
    assert any(where.startswith("assets/manifests/06/") for where in wheres)
    assert any(".ipynb cell " in where for where in wheres)
    assert any(where.startswith("ch06.step") for where in wheres)


def test_magic_cells_and_apply_strings_are_read_from_a_notebook(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%%kubectl\napiVersion: v1\nkind: Namespace\nmetadata:\n"
                                  "  name: shop\n"),
        nbformat.v4.new_code_cell("%%kubectl get pods\nignored"),
        nbformat.v4.new_code_cell('%load_ext k8skit\nc.apply("""\nkind: A\n""")\n'
                                  'c.apply("../assets/x.yaml")\nc.apply(f"""\nkind: {k}\n""")'),
    ])
    path = tmp_path / "scratch.ipynb"
    nbformat.write(notebook, path)
    assert [(s.where, s.text, s.command) for s in notebook_sources(path)] == [
        ("scratch.ipynb cell 0", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
         "apply -f -"),
        ("scratch.ipynb cell 2, apply #1", "\nkind: A\n", "apply -f -"),
    ]


# -- valid against the real schema ------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.where)
def test_is_valid_kubernetes(source, version):
    documents = source.documents()
    assert documents, "no manifest in it"
    problems = []
    for obj in documents:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(part) for part in error.path) or "(top level)"
            problems.append(f"{named(obj)}: {path}: {error.message}")
        except (kubernetes_validate.SchemaNotFoundError,
                kubernetes_validate.InvalidSchemaError) as error:
            problems.append(f"{named(obj)}: {error}")
    assert not problems, "\n".join(problems)


# -- accepted by the simulator ------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.where)
def test_applies_cleanly_in_the_simulator(source):
    cluster = Cluster(nodes=1, seed=0)
    result = cluster.kubectl(source.command, stdin=source.text)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(source.documents()), result.stdout


@pytest.mark.parametrize("version", VERSIONS)
def test_the_schema_check_refuses_a_misspelt_field(version):
    pod = yaml.safe_load("""
apiVersion: v1
kind: Pod
metadata:
  name: typo
spec:
  containers:
  - name: web
    image: nginx:1.27
    imagePullPolicyy: Always
""")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(pod, version, strict=True)
