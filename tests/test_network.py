"""The pod network: host-local addresses, reachability, the DNS and Service hooks, and the
errors a client prints when something is not there."""

from __future__ import annotations

import pytest

from k8skit.node.network import REJECT, PodNetwork
from k8skit.node.runtime.host import ContainerHost


def test_pod_ips_start_at_2_and_are_not_reused_at_once():
    network = PodNetwork()
    first = [network.allocate_ip("10.244.1.0/24") for _ in range(3)]
    assert first == ["10.244.1.2", "10.244.1.3", "10.244.1.4"]
    network.release_ip("10.244.1.3")
    assert network.allocate_ip("10.244.1.0/24") == "10.244.1.5"
    assert network.allocate_ip("10.244.2.0/24") == "10.244.2.2"


def test_allocation_wraps_around_and_skips_addresses_in_use():
    network = PodNetwork()
    addresses = [network.allocate_ip("10.244.0.0/29") for _ in range(5)]
    assert addresses == [f"10.244.0.{n}" for n in range(2, 7)]
    network.release_ip("10.244.0.4")
    assert network.allocate_ip("10.244.0.0/29") == "10.244.0.4"
    with pytest.raises(RuntimeError, match="no IP addresses available"):
        network.allocate_ip("10.244.0.0/29")


def test_the_same_history_gives_the_same_addresses():
    def history() -> list[str]:
        network = PodNetwork()
        taken = [network.allocate_ip("10.244.3.0/24") for _ in range(4)]
        network.release_ip(taken[1])
        return taken + [network.allocate_ip("10.244.3.0/24")]

    assert history() == history()


@pytest.fixture
def host() -> ContainerHost:
    return ContainerHost(seed=1)


def test_a_closed_port_is_refused_in_curls_words(host):
    box = host.run("busybox", command=["sleep", "3600"])
    reply = host.network.request(f"http://{box.ip}/", source_ip="10.244.1.99")
    assert reply.error == (f"curl: (7) Failed to connect to {box.ip} port 80 after 0 ms: "
                           "Couldn't connect to server")
    assert reply.curl_code == 7 and reply.status == 0


def test_an_unknown_name_does_not_resolve(host):
    reply = host.network.request("http://web/")
    assert reply.error == "curl: (6) Could not resolve host: web"


def test_a_pod_address_nobody_holds_has_no_route(host):
    box = host.run("busybox", command=["sleep", "3600"])
    host.network.release_ip(box.ip)
    box.sandbox.stop()
    reply = host.network.request(f"http://{box.ip}:80/")
    assert reply.failure == "no-route" and reply.seconds == 3.0


def test_localhost_is_the_pod_itself(host):
    nginx = host.run("nginx:1.25-alpine")
    assert nginx.exec(["wget", "-q", "-O-", "http://localhost/"]).stdout.startswith(
        "<!DOCTYPE html>")
    assert host.network.request("http://localhost/").error.startswith(
        "curl: (7) Failed to connect to localhost port 80")


def test_resolver_and_virtual_ip_hooks(host):
    web = host.run("nginx:1.25", name="web")
    client = host.run("busybox:1.36", command=["sleep", "3600"])
    host.network.resolvers.append(
        lambda name, source: ("web.default.svc.cluster.local", "10.96.0.20")
        if name in ("web", "web.default") else None)
    host.network.virtual_ips.append(
        lambda ip, port, source: (web.ip, 80) if (ip, port) == ("10.96.0.20", 80) else
        REJECT if ip == "10.96.0.20" else None)
    reply = client.exec(["wget", "-q", "-O-", "http://web"])
    assert reply.exit_code == 0 and "Welcome to nginx!" in reply.stdout
    lookup = client.exec(["nslookup", "web"])
    assert lookup.stdout == ("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
                             "Name:\tweb.default.svc.cluster.local\nAddress: 10.96.0.20\n\n")
    missing = client.exec(["nslookup", "nope"])
    assert missing.exit_code == 1 and "** server can't find nope: NXDOMAIN" in missing.stdout
    refused = client.exec(["wget", "-q", "-O-", "http://web:8080"])
    assert refused.stderr == "wget: can't connect to remote host (10.96.0.20): Connection refused\n"
    assert host.network.tcp_connect("10.96.0.20", 80, source_ip=client.ip)


def test_busybox_1_28_nslookup_prints_the_older_format(host):
    client = host.run("busybox:1.28", command=["sleep", "3600"])
    host.network.resolvers.append(lambda name, source: ("kubernetes.default.svc.cluster.local",
                                                        "10.96.0.1"))
    result = client.exec(["nslookup", "kubernetes.default"])
    assert result.stdout == ("Server:    10.96.0.10\nAddress 1: 10.96.0.10\n\n"
                             "Name:      kubernetes.default\n"
                             "Address 1: 10.96.0.1 kubernetes.default.svc.cluster.local\n")


def test_without_cluster_dns_lookups_time_out(host):
    client = host.run("busybox", command=["sleep", "3600"])
    result = client.exec(["nslookup", "myservice"])
    assert result.exit_code == 1 and result.seconds == 10
    assert ";; connection timed out; no servers could be reached" in result.stdout


def test_an_init_container_style_wait_loop_takes_simulated_time(host):
    box = host.run("busybox:1.28", command=[
        "sh", "-c", "until nslookup myservice; do echo waiting for myservice; sleep 2; done"])
    host.advance(60)
    assert [line for _, line in box.logs()].count("waiting for myservice") == 5
    host.network.resolvers.append(lambda name, source: "10.96.0.30"
                                  if name == "myservice" else None)
    host.advance(12)
    assert host.exit_of(box) == (0, "Completed")


def test_curl_errors_and_timeouts(host):
    box = host.run("curlimages/curl", command=["sleep", "3600"])
    assert box.exec(["curl", "-s", "http://nowhere"]).stderr == ""
    shown = box.exec(["curl", "-sS", "http://nowhere"])
    assert (shown.exit_code, shown.stderr) == (6, "curl: (6) Could not resolve host: nowhere\n")
    blackhole = box.exec(["curl", "-sS", "-m", "5", "http://10.96.99.99"])
    assert blackhole.exit_code == 28 and blackhole.seconds == 5
    assert blackhole.stderr == "curl: (28) Connection timed out after 5001 milliseconds\n"
    unknown = box.exec(["curl", "--bogus", "http://x"])
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("curl: option --bogus: is unknown")


def test_curl_write_out_and_fail(host):
    nginx = host.run("nginx:1.25")
    code = nginx.exec(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                       "http://localhost/nope"])
    assert code.stdout == "404"
    failed = nginx.exec(["curl", "-sSf", "http://localhost/nope"])
    assert failed.exit_code == 22
    assert failed.stderr == "curl: (22) The requested URL returned error: 404\n"
    head = nginx.exec(["curl", "-sI", "http://localhost/"])
    assert head.stdout.startswith("HTTP/1.1 200 OK\r\nServer: nginx/1.25.5\r\n")


def test_ping_reaches_pods_but_not_virtual_ips(host):
    target = host.run("busybox", command=["sleep", "3600"])
    client = host.run("busybox", command=["sleep", "3600"])
    reply = client.exec(["ping", "-c", "2", target.ip])
    assert reply.exit_code == 0 and "2 packets transmitted, 2 packets received" in reply.stdout
    silent = client.exec(["ping", "-c", "2", "10.96.0.1"])
    assert silent.exit_code == 1 and "0 packets received, 100% packet loss" in silent.stdout
