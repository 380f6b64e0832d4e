"""The Service lab: requests reach the Service's ready pods only; a pod made unready or killed
leaves the endpoints and the traffic; kube-proxy's mode decides how the requests are spread."""

import re

import pytest

from k8skit.widgets.service_lab import ServiceLab


def answered(lab: ServiceLab) -> dict[str, int]:
    """Requests per pod, read off the Sankey's node labels ("<pod>: <count>")."""
    labels = lab.figure.data[0].node.label
    return {label.split(": ")[0]: int(label.split(": ")[1]) for label in labels[2:]
            if not label.startswith(("failed", "answered by no pod"))}


def endpoint_rows(lab: ServiceLab) -> dict[str, str]:
    """pod -> its endpoint state, from the lab's table."""
    rows = re.findall(r"<tr><td>([^<]+)</td>(?:<td>[^<]*</td>){4}<td>([^<]+)</td>",
                      lab.endpoints.value)
    return dict(rows)


def pod_ips(lab: ServiceLab) -> dict[str, str]:
    return {p["metadata"]["name"]: p["status"]["podIP"]
            for p in lab.cluster.api.list("Pod", "default", label_selector="app=web")}


@pytest.fixture
def lab():
    return ServiceLab(seed=3)


def test_requests_are_answered_by_every_ready_pod(lab):
    assert not lab.problem
    shown = answered(lab)
    assert set(shown) == set(pod_ips(lab))
    assert sum(shown.values()) == 100
    assert endpoint_rows(lab) == dict.fromkeys(pod_ips(lab), "ready")
    assert sorted(lab.proxy_backends()) == sorted(f"{ip}:80" for ip in pod_ips(lab).values())


def test_the_requests_slider_sets_the_batch(lab):
    lab.requests.value = 40
    assert "sends 40 requests" in lab.status.value
    lab.send_button.click()
    assert sum(answered(lab).values()) == 40
    assert lab.figure.layout.title.text.startswith("40 requests to http://web")


def test_an_unready_pod_leaves_the_endpoints_and_gets_no_traffic(lab):
    pod = lab.pod.options[0]
    lab.pod.value = pod
    lab.unready_button.click()
    assert not lab.problem
    lab.wait_button.click()
    assert endpoint_rows(lab)[pod] == "not ready"
    assert f"{pod_ips(lab)[pod]}:80" not in lab.proxy_backends()
    assert "0/1" in lab.cluster.kubectl(f"get pod {pod}").stdout
    lab.send_button.click()
    assert pod not in answered(lab) and sum(answered(lab).values()) == 100
    lab.ready_button.click()
    lab.wait_button.click()
    assert endpoint_rows(lab)[pod] == "ready"
    lab.send_button.click()
    assert pod in answered(lab)


def test_a_killed_pod_is_replaced_and_the_service_follows(lab):
    victim = lab.pod.options[1]
    lab.pod.value = victim
    lab.kill_button.click()
    assert f'pod "{victim}" deleted' in lab.message_text
    for _ in range(4):
        lab.wait_button.click()
    pods = pod_ips(lab)
    assert victim not in pods and len(pods) == 3
    assert endpoint_rows(lab) == dict.fromkeys(pods, "ready")
    lab.send_button.click()
    assert set(answered(lab)) == set(pods)


def test_ipvs_takes_the_endpoints_in_turn_and_iptables_at_random(lab):
    lab.requests.value = 300
    lab.mode.value = "ipvs"
    assert "ipvs mode" in lab.message_text
    assert lab.cluster.kube_proxies["worker-1"].mode == "ipvs"
    lab.send_button.click()
    assert sorted(answered(lab).values()) == [100, 100, 100]
    lab.mode.value = "iptables"
    lab.send_button.click()
    counts = sorted(answered(lab).values())
    assert sum(counts) == 300 and len(counts) == 3 and counts != [100, 100, 100]


def test_with_no_ready_pod_requests_are_refused(lab):
    for pod in lab.pod.options:
        lab.pod.value = pod
        lab.unready_button.click()
    lab.wait_button.click()
    lab.send_button.click()
    labels = lab.figure.data[0].node.label
    assert any(label.startswith("failed: curl: (7)") and "Couldn't connect" in label
               for label in labels)
    assert "none: connections are refused" in lab.endpoints.value


def test_the_text_shown_without_widgets(lab):
    assert lab._repr_mimebundle_()["text/plain"] == (
        "ServiceLab: t = 30 s, 3 pods behind service/web, 3 ready, kube-proxy iptables; "
        "run it in JupyterLab")
