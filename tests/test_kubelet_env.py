"""A container's environment as the kubelet builds it (docs/tasks/inject-data-application/)."""

import base64
import random

import pytest

from k8skit.api.server import APIServer
from k8skit.api.store import ObjectStore
from k8skit.clock import Clock
from k8skit.node.kubelet.environment import (
    ContainerConfigError,
    command_and_args,
    container_environment,
    expand,
)
from k8skit.node.kubelet.envvars import from_service

ALLOCATABLE = {"cpu": "4", "memory": "8Gi"}


@pytest.fixture
def api():
    clock = Clock()
    server = APIServer(ObjectStore(clock), clock, random.Random(0))
    server.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    return server


def bound_pod(api, container, name="envar-demo", **spec):
    pod = api.create({"apiVersion": "v1", "kind": "Pod",
                      "metadata": {"name": name, "labels": {"app": "demo"}},
                      "spec": {"containers": [{"name": "c", "image": "busybox", **container}],
                               "nodeName": "worker-1", **spec}})
    pod["status"].update({"podIP": "10.244.1.7", "podIPs": [{"ip": "10.244.1.7"}]})
    return pod


def env_of(api, pod):
    return container_environment(api, pod, pod["spec"]["containers"][0], ALLOCATABLE,
                                 "192.168.49.3")


def test_literal_values_and_references_to_earlier_variables(api):
    # define-interdependent-environment-variables.md
    pod = bound_pod(api, {"env": [
        {"name": "SERVICE_PORT", "value": "80"},
        {"name": "SERVICE_IP", "value": "172.17.0.1"},
        {"name": "UNCHANGED_REFERENCE", "value": "$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"},
        {"name": "PROTOCOL", "value": "https"},
        {"name": "SERVICE_ADDRESS", "value": "$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"},
        {"name": "ESCAPED_REFERENCE", "value": "$$(PROTOCOL)://$(SERVICE_IP):$(SERVICE_PORT)"},
    ]})
    env = env_of(api, pod)
    assert env["UNCHANGED_REFERENCE"] == "$(PROTOCOL)://172.17.0.1:80"
    assert env["SERVICE_ADDRESS"] == "https://172.17.0.1:80"
    assert env["ESCAPED_REFERENCE"] == "$(PROTOCOL)://172.17.0.1:80"


def test_expansion_leaves_what_is_not_a_reference():
    assert expand("$(A) $B $(C $", {"A": "a"}) == "a $B $(C $"


def test_command_and_args_expand_the_environment(api):
    pod = bound_pod(api, {"env": [{"name": "MESSAGE", "value": "hello world"}],
                          "command": ["/bin/echo"], "args": ["$(MESSAGE)"]})
    env = env_of(api, pod)
    assert command_and_args(pod["spec"]["containers"][0], env) == (["/bin/echo"],
                                                                   ["hello world"])


def test_downward_api_fields(api):
    # environment-variable-expose-pod-information.md
    fields = {"MY_NODE_NAME": "spec.nodeName", "MY_POD_NAME": "metadata.name",
              "MY_POD_NAMESPACE": "metadata.namespace", "MY_POD_IP": "status.podIP",
              "MY_HOST_IP": "status.hostIP", "MY_POD_SERVICE_ACCOUNT": "spec.serviceAccountName",
              "MY_APP": "metadata.labels['app']", "MY_UID": "metadata.uid"}
    pod = bound_pod(api, {"env": [{"name": k, "valueFrom": {"fieldRef": {"fieldPath": v}}}
                                  for k, v in fields.items()]})
    env = env_of(api, pod)
    assert env["MY_NODE_NAME"] == "worker-1"
    assert env["MY_POD_NAME"] == "envar-demo"
    assert env["MY_POD_NAMESPACE"] == "default"
    assert env["MY_POD_IP"] == "10.244.1.7"
    assert env["MY_HOST_IP"] == "192.168.49.3"
    assert env["MY_POD_SERVICE_ACCOUNT"] == "default"
    assert env["MY_APP"] == "demo"
    assert env["MY_UID"] == pod["metadata"]["uid"]


def test_resource_fields_round_up_and_default_to_the_node(api):
    refs = {"CPU_REQUEST": ("requests.cpu", "1m"), "CPU_LIMIT": ("limits.cpu", "1"),
            "MEM_LIMIT": ("limits.memory", "1Mi"), "MEM_REQUEST": ("requests.memory", "1")}
    pod = bound_pod(api, {
        "resources": {"requests": {"cpu": "250m", "memory": "32Mi"},
                      "limits": {"memory": "64Mi"}},
        "env": [{"name": k, "valueFrom": {"resourceFieldRef": {"resource": r, "divisor": d}}}
                for k, (r, d) in refs.items()]})
    env = env_of(api, pod)
    assert env["CPU_REQUEST"] == "250"
    assert env["CPU_LIMIT"] == "4"  # no limit: the node's allocatable CPU
    assert env["MEM_LIMIT"] == "64"
    assert env["MEM_REQUEST"] == str(32 * 1024 * 1024)


def test_config_map_and_secret_keys(api):
    api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "special-config"},
                "data": {"special.how": "very", "special.type": "charm"}})
    api.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "backend-user"},
                "data": {"backend-username": base64.b64encode(b"backend-admin").decode()}})
    pod = bound_pod(api, {
        "env": [{"name": "SPECIAL_LEVEL_KEY", "valueFrom": {
                    "configMapKeyRef": {"name": "special-config", "key": "special.how"}}},
                {"name": "SECRET_USERNAME", "valueFrom": {
                    "secretKeyRef": {"name": "backend-user", "key": "backend-username"}}}],
        "envFrom": [{"configMapRef": {"name": "special-config"}, "prefix": "CM_"}]})
    env = env_of(api, pod)
    assert env["SPECIAL_LEVEL_KEY"] == "very"
    assert env["SECRET_USERNAME"] == "backend-admin"
    assert env["CM_special.type"] == "charm"


def test_a_missing_config_map_or_key_is_a_configuration_error(api):
    missing = bound_pod(api, {"env": [{"name": "X", "valueFrom": {
        "configMapKeyRef": {"name": "nope", "key": "k"}}}]})
    with pytest.raises(ContainerConfigError, match='^configmap "nope" not found$'):
        env_of(api, missing)
    api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "nope"},
                "data": {"other": "1"}})
    with pytest.raises(ContainerConfigError,
                       match="^couldn't find key k in ConfigMap default/nope$"):
        env_of(api, missing)


def test_a_missing_secret_is_a_configuration_error(api):
    pod = bound_pod(api, {"envFrom": [{"secretRef": {"name": "db"}}]})
    with pytest.raises(ContainerConfigError, match='^secret "db" not found$'):
        env_of(api, pod)


def test_optional_references_are_skipped(api):
    pod = bound_pod(api, {
        "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "nope", "key": "k",
                                                                "optional": True}}}],
        "envFrom": [{"secretRef": {"name": "db", "optional": True}}]})
    assert "X" not in env_of(api, pod)


def test_service_variables_docker_link_style(api):
    service = {"metadata": {"name": "redis-primary"},
               "spec": {"clusterIP": "10.0.0.11",
                        "ports": [{"name": "redis", "port": 6379, "protocol": "TCP"}]}}
    assert from_service(service) == {
        "REDIS_PRIMARY_SERVICE_HOST": "10.0.0.11",
        "REDIS_PRIMARY_SERVICE_PORT": "6379",
        "REDIS_PRIMARY_SERVICE_PORT_REDIS": "6379",
        "REDIS_PRIMARY_PORT": "tcp://10.0.0.11:6379",
        "REDIS_PRIMARY_PORT_6379_TCP": "tcp://10.0.0.11:6379",
        "REDIS_PRIMARY_PORT_6379_TCP_PROTO": "tcp",
        "REDIS_PRIMARY_PORT_6379_TCP_PORT": "6379",
        "REDIS_PRIMARY_PORT_6379_TCP_ADDR": "10.0.0.11",
    }


def test_services_of_the_namespace_but_not_headless_ones(api):
    for name, ip in (("web", "10.96.0.20"), ("db", "None")):
        api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                    "spec": {"clusterIP": ip, "ports": [{"port": 80}],
                             "selector": {"app": name}}})
    env = env_of(api, bound_pod(api, {}))
    assert env["WEB_SERVICE_HOST"] == "10.96.0.20"
    assert not any(key.startswith("DB_") for key in env)
    no_links = bound_pod(api, {}, name="other", enableServiceLinks=False)
    assert "WEB_SERVICE_HOST" not in env_of(api, no_links)
