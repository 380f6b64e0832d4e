"""QoS classes as docs/tasks/configure-pod-container/quality-service-pod.md assigns them."""

from k8skit.api.qos import qos_class


def pod(*containers, init=()):
    spec = {"containers": [{"name": f"c{i}", "image": "nginx", **c}
                           for i, c in enumerate(containers)]}
    if init:
        spec["initContainers"] = [{"name": f"i{i}", "image": "busybox", **c}
                                  for i, c in enumerate(init)]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}


def res(requests=None, limits=None):
    out = {}
    if requests is not None:
        out["requests"] = requests
    if limits is not None:
        out["limits"] = limits
    return {"resources": out}


def test_the_docs_guaranteed_pod():
    # qos-pod.yaml: memory 200Mi and cpu 700m as both request and limit.
    both = {"memory": "200Mi", "cpu": "700m"}
    assert qos_class(pod(res(requests=both, limits=both))) == "Guaranteed"


def test_limits_alone_are_copied_into_requests_and_make_guaranteed():
    assert qos_class(pod(res(limits={"memory": "200Mi", "cpu": "700m"}))) == "Guaranteed"


def test_equal_amounts_written_differently_are_equal():
    assert qos_class(pod(res(requests={"memory": "1Gi", "cpu": "0.5"},
                             limits={"memory": "1024Mi", "cpu": "500m"}))) == "Guaranteed"


def test_the_docs_burstable_pod():
    # qos-pod-2.yaml: memory limit 200Mi, request 100Mi, no cpu.
    assert qos_class(pod(res(requests={"memory": "100Mi"},
                             limits={"memory": "200Mi"}))) == "Burstable"


def test_guaranteed_needs_both_cpu_and_memory():
    assert qos_class(pod(res(requests={"memory": "200Mi"},
                             limits={"memory": "200Mi"}))) == "Burstable"


def test_the_docs_best_effort_pod():
    assert qos_class(pod({})) == "BestEffort"
    assert qos_class(pod(res())) == "BestEffort"


def test_the_docs_multi_container_pod_is_burstable():
    # qos-pod-4.yaml: one container with a memory request, one with nothing.
    assert qos_class(pod(res(requests={"memory": "200Mi"}), {})) == "Burstable"


def test_every_container_must_be_guaranteed():
    both = {"memory": "200Mi", "cpu": "700m"}
    assert qos_class(pod(res(requests=both, limits=both),
                         res(requests=both, limits=both))) == "Guaranteed"
    assert qos_class(pod(res(requests=both, limits=both), {})) == "Burstable"


def test_init_containers_count():
    both = {"memory": "200Mi", "cpu": "700m"}
    assert qos_class(pod(res(limits=both), init=[{}])) == "Burstable"
    assert qos_class(pod({}, init=[res(requests={"cpu": "100m"})])) == "Burstable"
    assert qos_class(pod(res(limits=both), init=[res(limits=both)])) == "Guaranteed"


def test_zero_quantities_and_other_resources_do_not_count():
    assert qos_class(pod(res(requests={"cpu": "0", "memory": "0"}))) == "BestEffort"
    assert qos_class(pod(res(limits={"ephemeral-storage": "1Gi"}))) == "BestEffort"
