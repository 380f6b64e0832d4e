"""%kubectl and %%kubectl on a real IPython shell, talking to the current cluster."""

import gc
import weakref

import pytest
from IPython.testing.globalipapp import get_ipython

from k8skit import Cluster

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx
"""


@pytest.fixture(scope="module")
def shell():
    ipython = get_ipython()
    ipython.run_line_magic("load_ext", "k8skit")
    return ipython


def test_line_magic_prints_kubectl_text(shell, capsys):
    Cluster(nodes=1, seed=1)
    shell.run_line_magic("kubectl", "get nodes")
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert "worker-1" in out


def test_cell_magic_applies_its_body_and_settles_the_clock(shell, capsys):
    cluster = Cluster(nodes=1, seed=2)
    shell.run_cell_magic("kubectl", "", POD)
    assert capsys.readouterr().out == "pod/web created\n"
    assert cluster.api.get("Pod", "web")["spec"]["containers"][0]["image"] == "nginx"
    shell.run_cell_magic("kubectl", "create -f -", POD)
    assert "AlreadyExists" in capsys.readouterr().out


def test_errors_print_as_text_and_templates_are_not_expanded(shell, capsys):
    Cluster(nodes=1, seed=3)
    shell.run_line_magic("kubectl", "get podz")
    assert capsys.readouterr().out == 'error: the server doesn\'t have a resource type "podz"\n'
    shell.run_line_magic("kubectl", "get nodes -o jsonpath={.items[*].metadata.name}")
    assert capsys.readouterr().out == "control-plane worker-1\n"


def test_the_magic_follows_the_newest_or_selected_cluster_and_lets_old_ones_go(shell, capsys):
    first = Cluster(nodes=1, seed=4)
    first.kubectl("run one --image=nginx")
    second = Cluster(nodes=1, seed=5)
    shell.run_line_magic("kubectl", "get pods")
    assert capsys.readouterr().out == "No resources found in default namespace.\n"
    first.select()
    shell.run_line_magic("kubectl", "get pods -o name")
    assert capsys.readouterr().out == "pod/one\n"
    # A cluster nobody names any more is freed: notebooks that make many stay small.
    released = weakref.ref(second)
    del second
    gc.collect()
    assert released() is None
