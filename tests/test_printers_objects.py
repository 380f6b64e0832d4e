"""-o yaml / json / name / jsonpath / custom-columns as kubectl prints them."""

import json

import yaml

from k8skit.kubectl.printers.objects import (
    as_list,
    resource_name,
    to_custom_columns,
    to_json,
    to_jsonpath,
    to_yaml,
)

POD = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web", "namespace": "default", "resourceVersion": "42",
                 "creationTimestamp": "2026-01-01T00:00:05Z",
                 "labels": {"app": "web", "enabled": "true", "version": "1.10"},
                 "annotations": {"note": "line one\nline two\n", "empty": ""}},
    "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                             "args": ["sh", "-c", "echo hello: world"],
                             "ports": [{"containerPort": 80, "protocol": "TCP"}]}],
             "nodeSelector": {}, "tolerations": []},
    "status": {"phase": "Running", "podIP": "10.244.1.5",
               "message": "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes "
                          "are available: 3 No preemption victims found for incoming pod."},
}


def test_yaml_sorts_keys_and_quotes_like_go_yaml():
    text = to_yaml(POD)
    assert text.startswith("apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n")
    assert '  creationTimestamp: "2026-01-01T00:00:05Z"\n' in text
    assert '  resourceVersion: "42"\n' in text
    assert '    enabled: "true"\n' in text
    assert '    version: "1.10"\n' in text
    assert '    empty: ""\n' in text
    assert "    note: |\n      line one\n      line two\n" in text
    assert "    - 'echo hello: world'\n" in text
    assert "  containers:\n  - args:\n" in text  # lists sit at their key's indentation
    assert "  nodeSelector: {}\n" in text


def test_yaml_folds_long_strings_at_80_columns():
    lines = to_yaml(POD).splitlines()
    message = lines.index(next(line for line in lines if line.startswith("  message:")))
    # libyaml's rule (go-yaml and PyYAML share it): break at the first space past column 80.
    assert lines[message] == ("  message: '0/3 nodes are available: 3 Insufficient cpu. "
                              "preemption: 0/3 nodes are")
    assert lines[message + 1] == ("    available: 3 No preemption victims found for incoming "
                                  "pod.'")


def test_yaml_and_json_read_back_as_the_same_object():
    assert yaml.safe_load(to_yaml(POD)) == POD
    assert json.loads(to_json(POD)) == POD


def test_json_is_indented_by_four_and_html_escaped():
    text = to_json({"b": "<none>", "a": [1, True, None]})
    assert text == ('{\n    "a": [\n        1,\n        true,\n        null\n    ],\n'
                    '    "b": "\\u003cnone\\u003e"\n}\n')


def test_several_objects_print_as_a_list():
    listed = yaml.safe_load(to_yaml(as_list([POD])))
    assert listed["kind"] == "List"
    assert listed["metadata"] == {"resourceVersion": ""}
    assert listed["items"] == [POD]


def test_names_carry_the_resource_and_its_group():
    assert resource_name(POD) == "pod/web"
    deployment = {"kind": "Deployment", "metadata": {"name": "web"}}
    assert resource_name(deployment) == "deployment.apps/web"


def test_jsonpath_fields_lists_ranges_and_filters():
    data = as_list([POD, {**POD, "metadata": {**POD["metadata"], "name": "db"}}])
    assert to_jsonpath("{.items[*].metadata.name}", data) == "web db"
    assert to_jsonpath(r'{range .items[*]}{.metadata.name}{"\n"}{end}', data) == "web\ndb\n"
    assert to_jsonpath("{.status.podIP}", POD) == "10.244.1.5"
    assert to_jsonpath("{.metadata.labels}", POD) == \
        '{"app":"web","enabled":"true","version":"1.10"}'
    assert to_jsonpath('{.spec.containers[?(@.name=="web")].image}', POD) == "nginx:1.27"
    assert to_jsonpath("{.spec.missing}", POD) == ""
    assert to_jsonpath("name: {.metadata.name}", POD) == "name: web"


def test_custom_columns():
    text = to_custom_columns("NAME:.metadata.name,IP:.status.podIP,NODE:.spec.nodeName", [POD])
    assert text == "NAME   IP           NODE\nweb    10.244.1.5   <none>\n"
