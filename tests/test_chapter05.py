"""Chapter 5's notebook: its manifests are the files it ships, and its saved outputs show what
its prose says they show (see test_chapter04.py for why)."""

import re

import pytest
from test_chapter04 import REPOSITORY, kubectl_bodies, saved_output, table

NOTEBOOK = REPOSITORY / "notebooks" / "05_services.ipynb"
MANIFESTS = REPOSITORY / "assets" / "manifests" / "05"


@pytest.mark.parametrize("body", kubectl_bodies(NOTEBOOK))
def test_every_manifest_shown_is_a_file_the_chapter_ships(body):
    shipped = {path.read_text().rstrip("\n"): path.name for path in MANIFESTS.glob("*.yaml")}
    assert body.rstrip("\n") in shipped


def test_a_deleted_pods_address_leads_nowhere_and_its_replacement_has_another():
    first = saved_output(NOTEBOOK, "print(first_pod, first_ip)")
    name, address = first.split()[:2]
    assert "Hostname: " + name in first
    again = saved_output(NOTEBOOK, 'print(c.kubectl(f"exec client -- wget -qO- '
                                   'http://{first_ip}:8080"))', whole=True)
    assert f"can't connect to remote host ({address})" in again
    pods = {pod: row for pod, row in table(saved_output(
        NOTEBOOK, "%kubectl get pods -l app=web -o wide")).items() if pod.startswith("web-")}
    assert len(pods) == 3 and name not in pods
    assert address not in {row[5] for row in pods.values()}


def test_a_relabelled_pod_is_replaced_and_keeps_running():
    rows = table(saved_output(NOTEBOOK, "app=debug --overwrite"))
    apps = [row[-1] for name, row in rows.items() if name.startswith("web-")]
    assert sorted(apps) == ["debug", "web", "web", "web"]


def test_the_service_spreads_requests_over_several_pods():
    hostnames = re.findall(r"Hostname: (\S+)", saved_output(NOTEBOOK, "for i in 1 2 3 4 5 6"))
    assert len(hostnames) == 6 and len(set(hostnames)) > 1


def test_an_unready_pod_leaves_the_endpoints_without_a_restart():
    printed = saved_output(NOTEBOOK, "rm /usr/share/nginx/html/index.html")
    pods = {name: row for name, row in table(printed).items() if name.startswith("shop-")}
    unready = [row for row in pods.values() if row[1] == "0/1"]
    assert len(unready) == 1 and unready[0][2:4] == ["Running", "0"]
    endpoints = table(printed)["shop"][1].split(",")
    assert len(endpoints) == 2
    answered = saved_output(NOTEBOOK, 'c.send_requests("http://shop", 60')
    assert "60 answered" in answered and unready[0][0] not in answered
    back = table(saved_output(NOTEBOOK, "echo back >"))["shop"][1].split(",")
    assert len(back) == 3


def test_ipvs_takes_the_endpoints_in_turn_and_iptables_does_not():
    rows = [line.split() for line in saved_output(NOTEBOOK, "in_turn = ").splitlines()[1:]
            if line.strip()]
    at_random, in_turn = [row[0] for row in rows], [row[1] for row in rows]
    assert len(in_turn) == 9 and len(set(in_turn)) == 3
    assert all(in_turn[i] == in_turn[i % 3] for i in range(9))
    assert not all(at_random[i] == at_random[i % 3] for i in range(9))


def test_the_node_port_answers_through_a_node_without_the_pods_and_outside_the_range_fails():
    assert "Hostname: web-" in saved_output(NOTEBOOK, 'c.curl("http://192.168.49.2:30080")')
    assert "provided port is not in the valid range" in saved_output(NOTEBOOK, "out_of_range =")


def test_the_load_balancer_is_pending_then_gets_an_external_ip_that_answers():
    printed = saved_output(NOTEBOOK, "%kubectl get service web-lb\nc.run(5)")
    before, after = (line.split() for line in printed.splitlines() if line.startswith("web-lb"))
    assert before[3] == "<pending>" and re.fullmatch(r"\d+\.\d+\.\d+\.\d+", after[3])
    assert "Hostname: web-" in saved_output(NOTEBOOK, "lb_ip = ")


def test_only_a_pod_started_after_the_service_has_its_variables():
    assert saved_output(NOTEBOOK, "exec client -- sh -c 'env").strip() == (
        "command terminated with exit code 1")
    later = saved_output(NOTEBOOK, "exec client-2 -- sh -c 'env")
    cluster_ip = re.search(r"Address: (\S+)", saved_output(NOTEBOOK, "nslookup web")).group(1)
    assert f"WEB_SERVICE_HOST={cluster_ip}" in later
