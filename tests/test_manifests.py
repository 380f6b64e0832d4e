"""Manifests are read as ``kubectl apply -f`` reads them, and refused in kubectl's words."""

from pathlib import Path

import pytest
import yaml

from k8skit.api.manifests import (
    ManifestError,
    _go_yaml_message,
    load,
    load_documents,
    load_path,
    load_text,
)
from k8skit.api.quantity import canonical

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: nginx
    image: nginx:1.27
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
"""


def error_of(text: str, source: str = "web.yaml") -> str:
    with pytest.raises(ManifestError) as caught:
        load_text(text, source)
    return str(caught.value)


def test_multi_document_text_skips_empty_documents():
    text = "---\n# just a comment\n---\n" + POD + "---\n" + SERVICE + "---\n"
    objects = load(text)
    assert [(o["kind"], o["metadata"]["name"]) for o in objects] == [("Pod", "web"),
                                                                      ("Service", "web")]
    assert objects[0]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert objects[1]["spec"]["ports"][0]["port"] == 80


def test_a_list_is_unpacked_into_its_items():
    text = """\
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}
- {apiVersion: v1, kind: Secret, metadata: {name: b}}
"""
    assert [o["kind"] for o in load(text)] == ["ConfigMap", "Secret"]


def test_files_and_folders_in_sorted_order(tmp_path: Path):
    (tmp_path / "b-service.yaml").write_text(SERVICE)
    (tmp_path / "a-pod.yml").write_text(POD)
    (tmp_path / "c.json").write_text(
        '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}}'
    )
    (tmp_path / "notes.txt").write_text("not a manifest")
    nested = tmp_path / "more"
    nested.mkdir()
    (nested / "d.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")

    documents = load_path(tmp_path)
    assert [(Path(d.source).name, d.object["kind"]) for d in documents] == [
        ("a-pod.yml", "Pod"), ("b-service.yaml", "Service"), ("c.json", "ConfigMap"),
    ]
    assert [d.object["kind"] for d in load_path(tmp_path, recursive=True)][-1] == "Namespace"
    # A path given as a string works as well as text does.
    assert load(str(tmp_path / "a-pod.yml"))[0]["kind"] == "Pod"
    assert load_documents(tmp_path / "b-service.yaml")[0].source.endswith("b-service.yaml")


def test_a_missing_path_is_reported_like_kubectl():
    with pytest.raises(ManifestError) as caught:
        load("nowhere.yaml")
    assert str(caught.value) == 'error: the path "nowhere.yaml" does not exist'


def test_malformed_yaml_in_kubectls_words():
    text = "apiVersion: v1\nkind: Pod\nmetadata: name: web\n"
    assert error_of(text) == (
        "error: error parsing web.yaml: error converting YAML to JSON: yaml: line 3: "
        "mapping values are not allowed in this context"
    )
    tabbed = "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: web\n"
    assert error_of(tabbed).endswith("yaml: line 4: found character that cannot start any token")
    misindented = "spec:\n  containers:\n  - name: a\n    image: b\n   ports: []\n"
    assert error_of(misindented).endswith("yaml: line 4: did not find expected key")
    assert error_of("a: *missing\n").endswith("yaml: unknown anchor 'missing' referenced")


def test_a_key_written_twice_is_an_error():
    text = POD.replace("    image: nginx:1.27\n", "    image: nginx:1.27\n    image: nginx\n")
    assert error_of(text) == (
        "error: error parsing web.yaml: error converting YAML to JSON: yaml: unmarshal errors:\n"
        '  line 9: key "image" already set in map'
    )


@pytest.mark.parametrize(("text", "json_type"), [("- a\n- b\n", "array"), ("hello\n", "string"),
                                                 ("42\n", "number")])
def test_a_document_that_is_not_a_mapping(text, json_type):
    assert error_of(text, "STDIN") == (
        f'error: unable to decode "STDIN": json: cannot unmarshal {json_type} into Go value of '
        'type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; '
        'Kind string "json:\\"kind,omitempty\\"" }'
    )


def test_missing_api_version_and_kind():
    assert error_of("metadata:\n  name: web\n") == (
        'error: error validating "web.yaml": error validating data: '
        "[apiVersion not set, kind not set]; if you choose to ignore these errors, turn "
        "validation off with --validate=false"
    )
    assert "[kind not set]" in error_of("apiVersion: v1\nmetadata:\n  name: web\n")


def test_unknown_kind_and_wrong_api_version():
    typo = "apiVersion: apps/v1\nkind: Deploymnt\nmetadata:\n  name: web\n"
    assert error_of(typo, "STDIN") == (
        'error: resource mapping not found for name: "web" namespace: "" from "STDIN": '
        'no matches for kind "Deploymnt" in version "apps/v1"\nensure CRDs are installed first'
    )
    wrong_group = "apiVersion: v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n"
    assert 'namespace: "shop"' in error_of(wrong_group)
    assert 'no matches for kind "Deployment" in version "v1"' in error_of(wrong_group)
    old_version = "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: web}\n"
    assert 'in version "extensions/v1beta1"' in error_of(old_version)


def test_scalars_mean_what_they_mean_to_kubectl():
    text = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: scalars}
data:
  exponent: 1e3
  clock: 1:30
  date: 2024-01-01
  yes_word: yes
  hex: 0x1F
  octal: 010
  grouped: 1_000
  quoted: '1e3'
  empty:
  fraction: .5
  equals: =
"""
    data = load(text)[0]["data"]
    assert data == {
        "exponent": 1000.0, "clock": "1:30", "date": "2024-01-01", "yes_word": True, "hex": 31,
        "octal": 8, "grouped": 1000, "quoted": "1e3", "empty": None, "fraction": 0.5,
        "equals": "=",
    }
    # So an unquoted exponent is a number, which the API server stores as 1k.
    assert canonical(data["exponent"]) == "1k"
    assert canonical(data["quoted"]) == "1e3"


def test_values_json_cannot_hold_are_refused():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: .nan}\n"
    assert error_of(text).endswith("error converting YAML to JSON: json: unsupported value: NaN")


def test_nothing_in_a_manifest_runs_python():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: !!python/object/apply:os.system ['true']\n"
    assert error_of(text).startswith("error: error parsing web.yaml: error converting YAML to JSON")


def test_malformed_json_file(tmp_path: Path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"apiVersion": "v1", "kind": }')
    with pytest.raises(ManifestError, match=r"^error: error parsing .*broken.json: Expecting"):
        load_path(broken)


@pytest.mark.parametrize(
    ("text", "go_yaml"),
    [
        ("a: 1\nb: 2\nmetadata: name: web\n",
         "line 3: mapping values are not allowed in this context"),
        ("a:\n\tb: 1\n", "line 2: found character that cannot start any token"),
        ("spec:\n  containers:\n  - name: a\n    image: b\n   ports: []\n",
         "line 4: did not find expected key"),
        ("a: [1, 2\nb: c\n", "line 1: did not find expected ',' or ']'"),
        ("a: *nowhere\n", "unknown anchor 'nowhere' referenced"),
    ],
)
def test_both_yaml_parsers_are_worded_like_go_yaml(text, go_yaml):
    """libyaml already words errors as go-yaml does; the pure-Python parser is translated."""
    for loader in {yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)}:
        with pytest.raises(yaml.YAMLError) as caught:
            list(yaml.load_all(text, Loader=loader))
        assert _go_yaml_message(caught.value, text) == go_yaml
