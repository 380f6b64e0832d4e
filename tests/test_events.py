"""Events through a simulated cluster: repeats counted, similar events combined, as client-go does.

Source: ``staging/src/k8s.io/client-go/tools/record/events_cache.go`` (EventAggregator: ten
distinct messages of one source, object, type and reason within ten minutes make an aggregate
event "(combined from similar events): <latest message>"; exact repeats bump ``count``).
"""

from __future__ import annotations

import pytest

from k8skit import Cluster
from k8skit.api.events import EventRecorder, events_for

CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
"""

WEB = """\
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web
spec:
  replicas: 12
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
"""


@pytest.fixture
def setup():
    """A cluster, a ConfigMap to write events about and a recorder of a made-up component."""
    cluster = Cluster(nodes=1, seed=5)
    cluster.apply(CONFIG_MAP)
    config_map = cluster.api.get("ConfigMap", "settings")
    return cluster, config_map, EventRecorder(cluster.api, "tester")


def messages(cluster: Cluster, obj: dict) -> dict[str, int]:
    """Each event's message about ``obj`` with its count."""
    return {e["message"]: e["count"] for e in events_for(cluster.api, obj)}


def test_nine_distinct_messages_are_recorded_one_by_one(setup):
    cluster, config_map, recorder = setup
    for n in range(9):
        recorder.event(config_map, "Normal", "Synced", f"synced copy {n}")
    assert messages(cluster, config_map) == {f"synced copy {n}": 1 for n in range(9)}


def test_the_tenth_distinct_message_goes_into_a_combined_event_with_the_latest_message(setup):
    cluster, config_map, recorder = setup
    for n in range(14):
        recorder.event(config_map, "Normal", "Synced", f"synced copy {n}")
    found = messages(cluster, config_map)
    assert len(found) == 10
    assert found["(combined from similar events): synced copy 13"] == 5
    assert all(found[f"synced copy {n}"] == 1 for n in range(9))


def test_a_repeat_of_a_remembered_message_still_counts_on_its_own_event(setup):
    cluster, config_map, recorder = setup
    for n in range(12):
        recorder.event(config_map, "Normal", "Synced", f"synced copy {n}")
    recorder.event(config_map, "Normal", "Synced", "synced copy 0")
    found = messages(cluster, config_map)
    assert found["synced copy 0"] == 2
    assert found["(combined from similar events): synced copy 11"] == 3


def test_other_reasons_types_and_objects_are_not_combined(setup):
    cluster, config_map, recorder = setup
    cluster.apply(CONFIG_MAP.replace("settings", "other"))
    other = cluster.api.get("ConfigMap", "other")
    for n in range(9):
        recorder.event(config_map, "Normal", "Synced", f"synced copy {n}")
    recorder.event(config_map, "Normal", "Loaded", "loaded copy 9")
    recorder.event(config_map, "Warning", "Synced", "synced copy 9")
    recorder.event(other, "Normal", "Synced", "synced copy 9")
    assert not any(m.startswith("(combined") for m in messages(cluster, config_map))
    assert messages(cluster, other) == {"synced copy 9": 1}


def test_a_group_quiet_for_ten_minutes_starts_afresh(setup):
    cluster, config_map, recorder = setup
    for n in range(9):
        recorder.event(config_map, "Normal", "Synced", f"synced copy {n}")
    cluster.run(601)
    recorder.event(config_map, "Normal", "Synced", "synced copy 9")
    assert messages(cluster, config_map)["synced copy 9"] == 1


def test_a_group_busy_within_ten_minutes_keeps_combining(setup):
    cluster, config_map, recorder = setup
    for n in range(9):
        recorder.event(config_map, "Normal", "Synced", f"synced copy {n}")
        cluster.run(300)
    recorder.event(config_map, "Normal", "Synced", "synced copy 9")
    assert "(combined from similar events): synced copy 9" in messages(cluster, config_map)


def test_describe_replica_set_of_twelve_pods_shows_nine_creations_and_a_combined_line():
    cluster = Cluster(nodes=2, seed=7)
    cluster.apply(WEB)
    rs = cluster.api.get("ReplicaSet", "web")
    events = [e for e in events_for(cluster.api, rs) if e["reason"] == "SuccessfulCreate"]
    combined = [e for e in events if e["message"].startswith("(combined from similar events)")]
    assert len(events) == 10 and len(combined) == 1
    assert sum(e["count"] for e in events) == 12
    pods = {p["metadata"]["name"] for p in cluster.api.list("Pod", namespace="default")}
    named = {e["message"].rsplit(" ", 1)[1] for e in events}
    assert named <= pods
    text = cluster.kubectl("describe rs web").stdout
    assert "SuccessfulCreate" in text
    assert "(x3 over" in text
    assert "replicaset-controller  (combined from similar events): Created pod: web-" in text
