"""ConfigMaps through a whole cluster: ``kubectl create configmap``, describe, and pods using
them as environment variables and as files.

Scenarios from ``docs/tasks/configure-pod-container/configure-pod-configmap.md`` and
``docs/concepts/configuration/configmap.md``. Files for ``--from-file`` are real files in a
temporary folder, read relative to the working directory as a learner's notebook reads them.
"""

from __future__ import annotations

import pytest

from k8skit import Cluster
from k8skit.kubectl.commands import COMMANDS

needs_create_configmap = pytest.mark.skipif(
    "create configmap" not in COMMANDS,
    reason="kubectl create configmap is not registered yet (see the h8 report)")

GAME_PROPERTIES = """enemies=aliens
lives=3
enemies.cheat=true
"""
UI_PROPERTIES = "color.good=purple\ncolor.bad=yellow\n"


@pytest.fixture
def cluster() -> Cluster:
    return Cluster(nodes=2, seed=3)


@pytest.fixture
def files(tmp_path, monkeypatch):
    """The docs' example files in ``configure-pod-container/configmap/``, with the test
    running in their parent folder (the notebook's folder)."""
    folder = tmp_path / "configure-pod-container" / "configmap"
    folder.mkdir(parents=True)
    (folder / "game.properties").write_text(GAME_PROPERTIES)
    (folder / "ui.properties").write_text(UI_PROPERTIES)
    (folder / "game-env-file.properties").write_text(
        'enemies=aliens\nlives=3\nallowed="true"\n\n# This comment and the empty line above '
        "it are ignored\n")
    monkeypatch.chdir(tmp_path)
    return "configure-pod-container/configmap"


def ok(c: Cluster, command: str) -> str:
    result = c.kubectl(command)
    assert result.returncode == 0, result.stderr
    return result.stdout


def fails(c: Cluster, command: str) -> str:
    result = c.kubectl(command)
    assert result.returncode == 1 and result.stdout == ""
    return result.stderr


def data_of(c: Cluster, name: str) -> dict:
    return c.api.get("ConfigMap", name)["data"]


@needs_create_configmap
def test_literals_keep_everything_after_the_first_equals_sign(cluster):
    out = ok(cluster, "create configmap special-config --from-literal=special.how=very "
                      "--from-literal=special.type=charm --from-literal=list=a,b,c "
                      "--from-literal=url=http://x?a=1 --from-literal=quoted='\"q\"'")
    assert out == "configmap/special-config created\n"
    assert data_of(cluster, "special-config") == {
        "special.how": "very", "special.type": "charm", "list": "a,b,c",
        "url": "http://x?a=1", "quoted": "q"}
    table = ok(cluster, "get configmaps special-config").splitlines()
    assert table[0].split() == ["NAME", "DATA", "AGE"]
    assert table[1].split()[:2] == ["special-config", "5"]


@needs_create_configmap
def test_a_folder_gives_one_key_per_file(cluster, files):
    ok(cluster, f"create configmap game-config --from-file={files}/")
    data = data_of(cluster, "game-config")
    assert sorted(data) == ["game-env-file.properties", "game.properties", "ui.properties"]
    assert (data["game.properties"], data["ui.properties"]) == (GAME_PROPERTIES, UI_PROPERTIES)
    yaml_text = ok(cluster, "get configmaps game-config -o yaml")
    assert "  game.properties: |\n    enemies=aliens\n    lives=3\n" in yaml_text


@needs_create_configmap
def test_file_keys_default_to_the_base_name_and_can_be_chosen(cluster, files):
    ok(cluster, f"create configmap game-config-3 "
                f"--from-file=game-special-key={files}/game.properties "
                f"--from-file={files}/ui.properties")
    assert data_of(cluster, "game-config-3") == {"game-special-key": GAME_PROPERTIES,
                                                  "ui.properties": UI_PROPERTIES}


@needs_create_configmap
def test_env_files_skip_comments_and_keep_quotes(cluster, files):
    ok(cluster, f"create configmap game-config-env-file "
                f"--from-env-file={files}/game-env-file.properties")
    assert data_of(cluster, "game-config-env-file") == {
        "enemies": "aliens", "lives": "3", "allowed": '"true"'}
    assert "allowed: '\"true\"'" in ok(cluster, "get cm game-config-env-file -o yaml")


@needs_create_configmap
def test_binary_files_go_to_binary_data(cluster, tmp_path, monkeypatch):
    (tmp_path / "logo.bin").write_bytes(b"\x89PNG\xff\x00")
    monkeypatch.chdir(tmp_path)
    ok(cluster, "create configmap assets --from-file=logo.bin")
    config_map = cluster.api.get("ConfigMap", "assets")
    assert config_map["binaryData"] == {"logo.bin": "iVBOR/8A"}
    assert "data" not in config_map
    assert "logo.bin: 6 bytes" in ok(cluster, "describe configmap assets")


@needs_create_configmap
@pytest.mark.parametrize(("command", "message"), [
    ("create configmap x --from-file=missing.txt",
     "error: error reading missing.txt: no such file or directory\n"),
    ("create configmap x --from-literal=a=1 --from-env-file=a.env",
     "error: from-env-file cannot be combined with from-file or from-literal\n"),
    ("create configmap x --from-literal=novalue",
     "error: invalid literal source novalue, expected key=value\n"),
    ("create configmap x --from-literal=a=1 --from-literal=a=2",
     'error: cannot add key "a", another key by that name already exists in Data for '
     'ConfigMap "x"\n'),
    ("create configmap x --from-literal='bad key=1'",
     "error: \"bad key\" is not a valid key name for a ConfigMap: a valid config key must "
     "consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  "
     "or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')\n"),
    ("create configmap --from-literal=a=1",
     "error: exactly one NAME is required, got 0\n"
     "See 'kubectl create configmap -h' for help and examples\n"),
])
def test_mistakes_are_reported_in_kubectls_words(cluster, tmp_path, monkeypatch, command,
                                                  message):
    monkeypatch.chdir(tmp_path)
    assert fails(cluster, command) == message
    assert cluster.api.try_get("ConfigMap", "x") is None


@needs_create_configmap
def test_a_folder_cannot_be_given_a_key(cluster, files):
    assert fails(cluster, f"create configmap x --from-file=key={files}") == \
        "error: cannot give a key name for a directory path\n"


@needs_create_configmap
def test_the_one_mebibyte_limit_is_the_api_servers(cluster, tmp_path, monkeypatch):
    (tmp_path / "big.txt").write_text("x" * (1024 * 1024 + 1))
    monkeypatch.chdir(tmp_path)
    message = fails(cluster, "create configmap big --from-file=big.txt")
    assert message.startswith('error: failed to create configmap: ConfigMap "big" is invalid: ')
    assert "Too long" in message and "1048576 bytes" in message
    assert cluster.api.try_get("ConfigMap", "big") is None


@needs_create_configmap
def test_a_client_dry_run_prints_the_manifest_and_creates_nothing(cluster):
    out = ok(cluster, "create configmap app --from-literal=mode=fast --dry-run=client -o yaml")
    assert out == ("apiVersion: v1\ndata:\n  mode: fast\nkind: ConfigMap\nmetadata:\n"
                   "  creationTimestamp: null\n  name: app\n")
    assert cluster.api.try_get("ConfigMap", "app") is None
    assert ok(cluster, "create configmap app --from-literal=a=b --dry-run") == \
        "configmap/app created (dry run)\n"


@needs_create_configmap
def test_describe_prints_every_value_in_full(cluster):
    ok(cluster, "create configmap settings --from-literal=player_initial_lives=3 "
                "--from-literal=ui_properties_file_name=user-interface.properties")
    assert ok(cluster, "describe configmap settings") == (
        "Name:         settings\n"
        "Namespace:    default\n"
        "Labels:       <none>\n"
        "Annotations:  <none>\n"
        "\n"
        "Data\n"
        "====\n"
        "player_initial_lives:\n"
        "----\n"
        "3\n"
        "ui_properties_file_name:\n"
        "----\n"
        "user-interface.properties\n"
        "\n"
        "BinaryData\n"
        "====\n"
        "\n"
        "Events:  <none>\n")


GAME_DEMO = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: game-demo
data:
  player_initial_lives: "3"
  ui_properties_file_name: "user-interface.properties"
  game.properties: |
    enemy.types=aliens,monsters
    player.maximum-lives=5
---
apiVersion: v1
kind: Pod
metadata:
  name: configmap-demo-pod
spec:
  containers:
    - name: demo
      image: alpine
      command: ["sleep", "3600"]
      env:
        - name: PLAYER_INITIAL_LIVES
          valueFrom:
            configMapKeyRef:
              name: game-demo
              key: player_initial_lives
      envFrom:
        - configMapRef:
            name: game-demo
          prefix: CFG_
      volumeMounts:
      - name: config
        mountPath: "/config"
        readOnly: true
  volumes:
  - name: config
    configMap:
      name: game-demo
      items:
      - key: "game.properties"
        path: "game.properties"
"""


def test_a_pod_reads_a_config_map_as_environment_and_as_files(cluster):
    """The example of ``docs/concepts/configuration/configmap.md``."""
    cluster.apply(GAME_DEMO)
    cluster.run(30)
    env = ok(cluster, "exec configmap-demo-pod -- env").splitlines()
    assert "PLAYER_INITIAL_LIVES=3" in env
    assert "CFG_ui_properties_file_name=user-interface.properties" in env
    assert ok(cluster, "exec configmap-demo-pod -- cat /config/game.properties") == \
        "enemy.types=aliens,monsters\nplayer.maximum-lives=5\n"
    assert ok(cluster, "exec configmap-demo-pod -- ls /config") == "game.properties\n"


def test_a_missing_key_stops_the_container_with_create_container_config_error(cluster):
    cluster.apply("""\
apiVersion: v1
kind: ConfigMap
metadata:
  name: special-config
data:
  special.how: very
---
apiVersion: v1
kind: Pod
metadata:
  name: needs-a-key
spec:
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "sleep 3600"]
    env:
    - name: SPECIAL_TYPE_KEY
      valueFrom:
        configMapKeyRef:
          name: special-config
          key: special.type
""")
    cluster.run(30)
    row = ok(cluster, "get pods needs-a-key").splitlines()[1].split()
    assert row[1:3] == ["0/1", "CreateContainerConfigError"]
    assert "couldn't find key special.type in ConfigMap default/special-config" in \
        ok(cluster, "describe pod needs-a-key")
