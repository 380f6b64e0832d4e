"""The API server's cluster IP and node port allocators, as a Service's create and delete use
them (pkg/registry/core/service/ipallocator and portallocator)."""

from __future__ import annotations

import copy
import ipaddress
import random

import pytest

from k8skit.api.allocators import (
    SERVICE_CLUSTER_IP_RANGE,
    ServiceAllocators,
    ip_range_offset,
    port_range_offset,
)
from k8skit.api.errors import APIError, Invalid


def service(name: str, type_: str = "ClusterIP", **spec) -> dict:
    ports = spec.pop("ports", [{"port": 80, "protocol": "TCP", "targetPort": 80}])
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"type": type_, "ports": ports, **spec}}


@pytest.fixture
def allocators() -> ServiceAllocators:
    return ServiceAllocators(random.Random(7))


def test_automatic_cluster_ips_come_from_the_dynamic_part_of_the_service_range(allocators):
    network = ipaddress.ip_network(SERVICE_CLUSTER_IP_RANGE)
    static_end = network.network_address + ip_range_offset(network.num_addresses)
    seen = set()
    for i in range(200):
        svc = service(f"s{i}")
        allocators.on_create(svc)
        ip = ipaddress.ip_address(svc["spec"]["clusterIP"])
        assert ip in network and ip > static_end
        assert svc["spec"]["clusterIPs"] == [str(ip)]
        seen.add(ip)
    assert len(seen) == 200


def test_a_chosen_cluster_ip_is_kept_and_cannot_be_taken_twice(allocators):
    dns = service("kube-dns", clusterIP="10.96.0.10")
    allocators.on_create(dns)
    assert dns["spec"]["clusterIPs"] == ["10.96.0.10"]
    with pytest.raises(Invalid) as caught:
        allocators.on_create(service("other", clusterIP="10.96.0.10"))
    assert str(caught.value) == (
        'The Service "other" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: '
        "failed to allocate IP 10.96.0.10: provided IP is already allocated")


def test_a_cluster_ip_outside_the_range_is_refused_with_the_range(allocators):
    with pytest.raises(Invalid) as caught:
        allocators.on_create(service("web", clusterIP="10.0.0.1"))
    assert caught.value.message.endswith(
        "failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. "
        "The range of valid IPs is 10.96.0.0/12")


def test_headless_and_external_name_services_get_no_cluster_ip(allocators):
    headless = service("db", clusterIP="None")
    external = service("ext", "ExternalName", externalName="db.example.com", ports=[])
    allocators.on_create(headless)
    allocators.on_create(external)
    assert headless["spec"]["clusterIP"] == "None"
    assert "clusterIP" not in external["spec"]


def test_node_ports_are_given_above_the_static_band_and_a_taken_one_is_refused(allocators):
    low = 30000 + port_range_offset(32767 - 30000 + 1)
    web = service("web", "NodePort")
    allocators.on_create(web)
    assert low <= web["spec"]["ports"][0]["nodePort"] <= 32767
    fixed = service("fixed", "NodePort",
                    ports=[{"port": 80, "protocol": "TCP", "nodePort": 30080}])
    allocators.on_create(fixed)
    with pytest.raises(Invalid) as caught:
        allocators.on_create(service("again", "NodePort",
                                     ports=[{"port": 80, "protocol": "TCP", "nodePort": 30080}]))
    assert str(caught.value) == ('The Service "again" is invalid: spec.ports[0].nodePort: '
                                 "Invalid value: 30080: provided port is already allocated")


def test_a_refused_service_keeps_nothing(allocators):
    allocators.on_create(service("fixed", "NodePort",
                                 ports=[{"port": 80, "protocol": "TCP", "nodePort": 30080}]))
    refused = service("refused", "NodePort", clusterIP="10.96.0.50",
                      ports=[{"port": 80, "protocol": "TCP", "nodePort": 30080}])
    with pytest.raises(Invalid):
        allocators.on_create(refused)
    # The address the refused Service would have had is still free.
    allocators.on_create(service("later", clusterIP="10.96.0.50"))


def test_deleting_a_service_frees_its_address_and_ports(allocators):
    web = service("web", "NodePort", clusterIP="10.96.0.20",
                  ports=[{"port": 80, "protocol": "TCP", "nodePort": 30080}])
    allocators.on_create(web)
    allocators.on_delete(web)
    again = service("web", "NodePort", clusterIP="10.96.0.20",
                    ports=[{"port": 80, "protocol": "TCP", "nodePort": 30080}])
    allocators.on_create(again)
    assert again["spec"]["ports"][0]["nodePort"] == 30080


def test_ports_with_the_same_number_share_one_node_port(allocators):
    dns = service("dns", "NodePort", ports=[{"name": "dns", "port": 53, "protocol": "UDP"},
                                            {"name": "dns-tcp", "port": 53, "protocol": "TCP"}])
    allocators.on_create(dns)
    first, second = dns["spec"]["ports"]
    assert first["nodePort"] == second["nodePort"]


def test_an_update_without_cluster_ip_or_node_port_keeps_the_allocated_ones(allocators):
    old = service("web", "NodePort")
    allocators.on_create(old)
    applied = service("web", "NodePort")  # as `kubectl apply` sends an unchanged manifest
    allocators.prepare_update(old, applied)
    allocators.on_update(old, applied)
    assert applied["spec"]["clusterIP"] == old["spec"]["clusterIP"]
    assert applied["spec"]["ports"][0]["nodePort"] == old["spec"]["ports"][0]["nodePort"]


def test_changing_a_node_port_service_to_cluster_ip_releases_its_node_port(allocators):
    old = service("web", "NodePort", externalTrafficPolicy="Cluster",
                  ports=[{"port": 80, "protocol": "TCP", "nodePort": 30080}])
    allocators.on_create(old)
    new = copy.deepcopy(old)
    new["spec"]["type"] = "ClusterIP"
    allocators.prepare_update(old, new)
    # Fields only a NodePort Service may have go with the type (dropTypeDependentFields).
    assert "nodePort" not in new["spec"]["ports"][0]
    assert "externalTrafficPolicy" not in new["spec"]
    allocators.on_update(old, new)
    allocators.on_create(service("other", "NodePort",
                                 ports=[{"port": 80, "protocol": "TCP", "nodePort": 30080}]))


def test_changing_to_node_port_allocates_node_ports(allocators):
    old = service("web")
    allocators.on_create(old)
    new = copy.deepcopy(old)
    new["spec"]["type"] = "NodePort"
    allocators.prepare_update(old, new)
    allocators.on_update(old, new)
    assert new["spec"]["ports"][0]["nodePort"] >= 30000
    assert new["spec"]["clusterIP"] == old["spec"]["clusterIP"]


def test_a_full_range_is_an_internal_error():
    allocators = ServiceAllocators(random.Random(1), service_cidr="10.96.0.0/29")
    for i in range(6):  # a /29 has 8 addresses: network and broadcast are never given
        allocators.on_create(service(f"s{i}"))
    with pytest.raises(APIError) as caught:
        allocators.on_create(service("one-too-many"))
    assert str(caught.value) == ("Error from server (InternalError): Internal error occurred: "
                                 "failed to allocate a serviceIP: range is full")


def test_the_same_seed_gives_the_same_addresses():
    def addresses(seed: int) -> list[str]:
        allocators = ServiceAllocators(random.Random(seed))
        created = [service(f"s{i}", "NodePort") for i in range(5)]
        for svc in created:
            allocators.on_create(svc)
        return [(s["spec"]["clusterIP"], s["spec"]["ports"][0]["nodePort"]) for s in created]

    assert addresses(3) == addresses(3)
    assert addresses(3) != addresses(4)
