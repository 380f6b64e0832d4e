"""The simulator's core: the clock, the object store and the API server in front of it."""

from __future__ import annotations

import random

import pytest

from k8skit.api.errors import AlreadyExists, BadRequest, Forbidden, Invalid, NotFound
from k8skit.api.server import APIServer
from k8skit.api.store import ObjectStore
from k8skit.clock import Clock


@pytest.fixture
def api() -> APIServer:
    clock = Clock()
    server = APIServer(ObjectStore(clock), clock, random.Random(0))
    for name in ("default", "dev"):
        server.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    return server


def pod(name: str = "web", node: str = "", **spec) -> dict:
    body = {"containers": [{"name": "nginx", "image": "nginx:1.25"}], **spec}
    if node:
        body["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": body}


def deployment(name: str = "web", replicas: int = 2) -> dict:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


# -- the clock ---------------------------------------------------------------------------------
def test_clock_fires_timers_in_time_then_request_order_and_skips_cancelled_ones():
    clock, fired = Clock(), []
    clock.call_later(5, fired.append, "b")
    clock.call_later(1, fired.append, "a")
    clock.call_later(5, fired.append, "c")
    clock.call_later(3, fired.append, "cancelled").cancel()
    clock.run(4)
    assert fired == ["a"] and clock.now == 4
    clock.run(10)
    assert fired == ["a", "b", "c"] and clock.now == 14


def test_clock_work_scheduled_for_now_runs_after_what_is_already_due():
    clock, fired = Clock(), []
    clock.call_soon(lambda: (fired.append(1), clock.call_soon(fired.append, 3)))
    clock.call_soon(fired.append, 2)
    clock.settle()
    assert fired == [1, 2, 3] and clock.now == 0


def test_clock_refuses_to_run_backwards():
    with pytest.raises(ValueError, match="backwards"):
        Clock().run(-1)


# -- creating ----------------------------------------------------------------------------------
def test_create_stamps_identity_defaults_and_status(api):
    created = api.create(pod())
    meta = created["metadata"]
    assert meta["namespace"] == "default"
    assert meta["creationTimestamp"] == "2026-01-01T00:00:00Z"
    assert len(meta["uid"]) == 36 and meta["resourceVersion"].isdigit()
    assert created["spec"]["restartPolicy"] == "Always"
    assert created["status"] == {"phase": "Pending", "qosClass": "BestEffort"}


def test_create_refuses_duplicates_unknown_fields_invalid_objects_and_missing_namespaces(api):
    api.create(pod())
    with pytest.raises(AlreadyExists, match='pods "web" already exists'):
        api.create(pod())
    with pytest.raises(BadRequest, match='unknown field "spec.foo"'):
        api.create(pod("other", foo=1))
    bad = pod("bad")
    del bad["spec"]["containers"][0]["image"]
    with pytest.raises(Invalid) as invalid:
        api.create(bad)
    assert str(invalid.value) == ('The Pod "bad" is invalid: spec.containers[0].image: '
                                  "Required value")
    elsewhere = {**pod("x"), "metadata": {"name": "x", "namespace": "nowhere"}}
    with pytest.raises(NotFound, match='namespaces "nowhere" not found'):
        api.create(elsewhere)
    assert [p["metadata"]["name"] for p in api.list("Pod")] == ["web"]


def test_resource_versions_grow_with_every_write(api):
    first = api.create(pod("a"))["metadata"]["resourceVersion"]
    second = api.create(pod("b"))["metadata"]["resourceVersion"]
    assert int(second) > int(first)


# -- reading -----------------------------------------------------------------------------------
def test_list_filters_by_namespace_labels_and_fields(api):
    api.create({**pod("a"), "metadata": {"name": "a", "labels": {"app": "web"}}})
    api.create({**pod("b"), "metadata": {"name": "b", "labels": {"app": "db"}}})
    api.create({**pod("c"), "metadata": {"name": "c", "namespace": "dev"}})
    names = lambda objs: [o["metadata"]["name"] for o in objs]  # noqa: E731
    assert names(api.list("Pod")) == ["a", "b", "c"]
    assert names(api.list("Pod", namespace="dev")) == ["c"]
    assert names(api.list("Pod", label_selector="app in (web,db),app!=db")) == ["a"]
    assert names(api.list("Pod", field_selector="metadata.namespace!=dev")) == ["a", "b"]
    with pytest.raises(NotFound):
        api.get("Pod", "zzz")


# -- updating ----------------------------------------------------------------------------------
def test_spec_changes_bump_the_generation_but_status_writes_do_not(api):
    created = api.create(deployment())
    assert created["metadata"]["generation"] == 1
    changed = api.update({**deployment(replicas=5), "metadata": {"name": "web"}})
    assert changed["metadata"]["generation"] == 2
    assert changed["metadata"]["uid"] == created["metadata"]["uid"]
    live = api.get("Deployment", "web")
    live["status"] = {"replicas": 5}
    api.update_status(live)
    assert api.get("Deployment", "web")["metadata"]["generation"] == 2


def test_an_update_keeps_what_only_the_server_owns(api):
    api.create(deployment())
    live = api.get("Deployment", "web")
    live["status"] = {"replicas": 2}
    api.update_status(live)
    replaced = api.update({**deployment(replicas=3), "metadata": {"name": "web"}})
    assert replaced["status"] == {"replicas": 2}
    assert replaced["metadata"]["creationTimestamp"] == "2026-01-01T00:00:00Z"


# -- watching ----------------------------------------------------------------------------------
def test_watchers_hear_of_changes_after_the_write_in_order(api):
    seen = []
    api.watch("Pod", lambda event: seen.append((event.type, event.object["metadata"]["name"])))
    api.create(pod("a"))
    assert seen == []                      # delivered on the clock, never inside the write
    api.delete("Pod", "a")
    api.clock.settle()
    assert seen == [("ADDED", "a"), ("DELETED", "a")]


def test_a_field_selected_watch_hears_only_its_node_and_can_be_closed(api):
    seen = []

    def handler(event):
        seen.append(event.object["metadata"]["name"])

    api.watch("Pod", handler, field_selector="spec.nodeName=worker-1")
    api.create(pod("mine", node="worker-1"))
    api.create(pod("theirs", node="worker-2"))
    api.clock.settle()
    assert seen == ["mine"]
    api.unwatch("Pod", handler, field_selector="spec.nodeName=worker-1")
    api.create(pod("later", node="worker-1"))
    api.clock.settle()
    assert seen == ["mine"]
    assert [p["metadata"]["name"] for p in api.pods_on_node("worker-1")] == ["mine", "later"]


# -- deleting ----------------------------------------------------------------------------------
def test_a_pod_on_a_node_is_only_marked_until_its_kubelet_lets_it_go(api):
    api.create(pod("bound", node="worker-1"))
    api.create(pod("pending"))
    marked = api.delete("Pod", "bound")
    assert marked["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:30Z"
    assert marked["metadata"]["deletionGracePeriodSeconds"] == 30
    assert api.try_get("Pod", "bound") is not None
    api.delete("Pod", "bound", grace_period_seconds=0)
    api.delete("Pod", "pending")
    assert api.list("Pod") == []


def test_immortal_namespaces_and_terminating_ones(api):
    with pytest.raises(Forbidden) as refused:
        api.delete("Namespace", "default", None)
    assert str(refused.value) == ('Error from server (Forbidden): namespaces "default" is '
                                  "forbidden: this namespace may not be deleted")
    going = api.delete("Namespace", "dev", None)
    assert going["status"]["phase"] == "Terminating"
    assert going["spec"]["finalizers"] == ["kubernetes"]
    with pytest.raises(Forbidden, match="unable to create new content in namespace dev because "
                                        "it is being terminated"):
        api.create({**pod("late"), "metadata": {"name": "late", "namespace": "dev"}})


def test_finalizers_hold_an_object_until_they_are_removed(api):
    api.create(deployment())
    held = api.delete("Deployment", "web", propagation_policy="Orphan")
    assert held["metadata"]["finalizers"] == ["orphan"]
    assert "deletionTimestamp" in held["metadata"]
    held["metadata"]["finalizers"] = []
    api.update(held)
    api.delete("Deployment", "web")
    assert api.try_get("Deployment", "web") is None


def test_the_audit_log_records_who_wrote_what(api):
    api.create(pod("a"), user="alice")
    api.delete("Pod", "a", user="bob")
    records = [(r.user, r.verb, r.kind, r.name) for r in api.audit[-2:]]
    assert records == [("alice", "create", "Pod", "a"), ("bob", "delete", "Pod", "a")]
