"""Secrets through a whole cluster: ``kubectl create secret``, what ``get`` and ``describe``
show of them, and pods reading them.

Scenarios from ``docs/tasks/configmap-secret/managing-secret-using-kubectl.md``,
``docs/tasks/inject-data-application/distribute-credentials-secure.md`` and
``docs/concepts/configuration/secret.md``.
"""

from __future__ import annotations

import base64
import json

import pytest

from k8skit import Cluster
from k8skit.kubectl.commands import COMMANDS

needs_create_secret = pytest.mark.skipif(
    "create secret generic" not in COMMANDS,
    reason="kubectl create secret is not registered yet (see the h8 report)")

# The docs' example password: the shell quotes keep the backslash and the dollar sign.
PASSWORD = "S!B\\*d$zDsb="


@pytest.fixture
def cluster() -> Cluster:
    return Cluster(nodes=2, seed=5)


def ok(c: Cluster, command: str, stdin: str | None = None) -> str:
    result = c.kubectl(command, stdin=stdin)
    assert result.returncode == 0, result.stderr
    return result.stdout


def decoded(c: Cluster, name: str) -> dict[str, bytes]:
    return {key: base64.b64decode(value)
            for key, value in c.api.get("Secret", name)["data"].items()}


@needs_create_secret
def test_literal_values_are_stored_base64_encoded(cluster):
    out = ok(cluster, "create secret generic db-user-pass --from-literal=username=admin "
                      f"--from-literal=password='{PASSWORD}'")
    assert out == "secret/db-user-pass created\n"
    assert decoded(cluster, "db-user-pass") == {"username": b"admin",
                                                "password": PASSWORD.encode()}
    yaml_text = ok(cluster, "get secret db-user-pass -o yaml")
    assert "  username: YWRtaW4=\n" in yaml_text
    assert "type: Opaque\n" in yaml_text
    assert PASSWORD not in yaml_text
    encoded = ok(cluster, "get secret db-user-pass -o jsonpath='{.data.password}'")
    assert base64.b64decode(encoded) == PASSWORD.encode()
    row = ok(cluster, "get secrets").splitlines()
    assert row[0].split() == ["NAME", "TYPE", "DATA", "AGE"]
    assert row[1].split()[:3] == ["db-user-pass", "Opaque", "2"]


@needs_create_secret
def test_describe_shows_sizes_never_values(cluster):
    ok(cluster, "create secret generic db-user-pass --from-literal=username=admin "
                f"--from-literal=password='{PASSWORD}'")
    assert ok(cluster, "describe secret db-user-pass") == (
        "Name:         db-user-pass\n"
        "Namespace:    default\n"
        "Labels:       <none>\n"
        "Annotations:  <none>\n"
        "\n"
        "Type:  Opaque\n"
        "\n"
        "Data\n"
        "====\n"
        "password:  12 bytes\n"
        "username:  5 bytes\n")


@needs_create_secret
def test_files_become_keys_named_after_them(cluster, tmp_path, monkeypatch):
    (tmp_path / "username.txt").write_text("admin")
    (tmp_path / "password.txt").write_text(PASSWORD)
    monkeypatch.chdir(tmp_path)
    ok(cluster, "create secret generic db-user-pass --from-file=./username.txt "
                "--from-file=pw=./password.txt")
    assert decoded(cluster, "db-user-pass") == {"username.txt": b"admin",
                                                "pw": PASSWORD.encode()}


@needs_create_secret
@pytest.mark.parametrize(("command", "message"), [
    ("create secret generic x --from-literal=a=1 --from-literal=a=2",
     "error: cannot add key a, another key by that name already exists\n"),
    ("create secret generic x --from-literal='a b=1'",
     "error: \"a b\" is not valid key name for a Secret a valid config key must consist of "
     "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
     "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')\n"),
    ("create secret generic x --from-env-file=a.env --from-file=b",
     "error: from-env-file cannot be combined with from-file or from-literal\n"),
    ("create secret docker-registry x --docker-username=me",
     "error: either --from-file or the combination of --docker-username, --docker-password "
     "and --docker-server is required\n"),
    ("create secret tls x --cert=tls.crt",
     "error: key and cert must be specified\n"),
    ("create secret tls x --cert=missing.crt --key=missing.key",
     "error: failed to read missing.crt: open missing.crt: no such file or directory\n"),
    ("create secret opaque x",
     "error: unknown command \"opaque x\"\nSee 'kubectl create secret -h' for help and "
     "examples\n"),
])
def test_mistakes_are_reported_in_kubectls_words(cluster, tmp_path, monkeypatch, command,
                                                  message):
    monkeypatch.chdir(tmp_path)
    result = cluster.kubectl(command)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", message)
    assert cluster.api.list("Secret", "default") == []


@needs_create_secret
def test_create_secret_alone_lists_the_kinds_of_secret(cluster):
    result = cluster.kubectl("create secret")
    assert result.returncode == 1
    assert "Available Commands:" in result.stderr
    for subcommand in ("docker-registry", "generic", "tls"):
        assert f"  {subcommand} " in result.stderr


@needs_create_secret
def test_a_registry_secret_holds_a_docker_config(cluster):
    ok(cluster, "create secret docker-registry regcred --docker-server=registry.example.com "
                "--docker-username=tiger --docker-password=pass1234 "
                "--docker-email=tiger@acme.example")
    secret = cluster.api.get("Secret", "regcred")
    assert secret["type"] == "kubernetes.io/dockerconfigjson"
    config = json.loads(decoded(cluster, "regcred")[".dockerconfigjson"])
    assert config == {"auths": {"registry.example.com": {
        "username": "tiger", "password": "pass1234", "email": "tiger@acme.example",
        "auth": base64.b64encode(b"tiger:pass1234").decode()}}}


@needs_create_secret
def test_a_tls_secret_needs_pem_files_of_the_right_kind(cluster, tmp_path, monkeypatch):
    certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    key = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"
    (tmp_path / "tls.crt").write_text(certificate)
    (tmp_path / "tls.key").write_text(key)
    monkeypatch.chdir(tmp_path)
    swapped = cluster.kubectl("create secret tls web-tls --cert=tls.key --key=tls.crt")
    assert swapped.stderr == ("error: tls: failed to find certificate PEM data in certificate "
                              "input, but did find a private key; PEM inputs may have been "
                              "switched\n")
    ok(cluster, "create secret tls web-tls --cert=tls.crt --key=tls.key")
    assert cluster.api.get("Secret", "web-tls")["type"] == "kubernetes.io/tls"
    assert decoded(cluster, "web-tls") == {"tls.crt": certificate.encode(),
                                           "tls.key": key.encode()}


def test_string_data_is_merged_into_data_on_create(cluster):
    """``stringData`` is write-only: the API server encodes it into ``data``, where it wins
    over the same key."""
    ok(cluster, "create -f -", """\
apiVersion: v1
kind: Secret
metadata:
  name: mysecret
type: Opaque
data:
  username: YWRtaW4=
  password: b2xk
stringData:
  password: new-password
""")
    secret = cluster.api.get("Secret", "mysecret")
    assert "stringData" not in secret
    assert decoded(cluster, "mysecret") == {"username": b"admin", "password": b"new-password"}
    assert "stringData" not in ok(cluster, "get secret mysecret -o yaml")


def test_the_one_mebibyte_limit_is_the_api_servers(cluster):
    huge = base64.b64encode(b"x" * (1024 * 1024 + 1)).decode()
    result = cluster.kubectl("create -f -", stdin=(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: huge\n"
        f"data:\n  blob: {huge}\n"))
    assert result.returncode == 1
    assert result.stderr.startswith('The Secret "huge" is invalid: data: Too long')
    assert "1048576 bytes" in result.stderr


SECRET_POD = """\
apiVersion: v1
kind: Secret
metadata:
  name: test-secret
data:
  username: bXktYXBw
  password: Mzk1MjgkdmRnN0pi
---
apiVersion: v1
kind: Pod
metadata:
  name: secret-test-pod
spec:
  containers:
    - name: test-container
      image: nginx
      env:
      - name: SECRET_USERNAME
        valueFrom:
          secretKeyRef:
            name: test-secret
            key: username
      volumeMounts:
        - name: secret-volume
          mountPath: /etc/secret-volume
          readOnly: true
  volumes:
    - name: secret-volume
      secret:
        secretName: test-secret
"""


def test_a_pod_sees_decoded_values_in_env_and_files(cluster):
    """``docs/tasks/inject-data-application/distribute-credentials-secure.md``."""
    cluster.apply(SECRET_POD)
    cluster.run(30)
    assert ok(cluster, "exec secret-test-pod -- ls /etc/secret-volume").split() == \
        ["password", "username"]
    assert ok(cluster, "exec secret-test-pod -- cat /etc/secret-volume/username") == "my-app"
    assert ok(cluster, "exec secret-test-pod -- cat /etc/secret-volume/password") == \
        "39528$vdg7Jb"
    assert "SECRET_USERNAME=my-app" in ok(cluster, "exec secret-test-pod -- env").splitlines()
