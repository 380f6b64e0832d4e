"""Deployments through a whole simulated cluster, as the docs' nginx-deployment walkthrough runs.

Source of the scenario: ``docs/concepts/workloads/controllers/deployment.md`` (creating,
updating, rolling back, pausing a Deployment). Every step goes through kubectl and the real
controllers, scheduler and kubelets.
"""

from __future__ import annotations

import re

import pytest

from k8skit import Cluster
from k8skit.api.meta import timestamp

NGINX_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
"""

SCALED = re.compile(r"Scaled (up|down) replica set (\S+) from (\d+) to (\d+)")


def scaling_events(c: Cluster, deployment: str) -> list[tuple[str, int, int]]:
    """(replica set, from, to) of the Deployment's ScalingReplicaSet events, oldest first."""
    events = [e for e in c.api.list("Event", namespace="default")
              if e["involvedObject"]["name"] == deployment and e["reason"] == "ScalingReplicaSet"]
    events.sort(key=lambda e: (e["firstTimestamp"], e["metadata"]["name"]))
    found = []
    for event in events:
        _, rs, old, new = SCALED.fullmatch(event["message"]).groups()
        found.append((rs, int(old), int(new)))
    return found


def created_pods_of_replica_sets(c: Cluster) -> list[str]:
    return [e["message"].removeprefix("Created pod: ")
            for e in c.api.list("Event", namespace="default") if e["reason"] == "SuccessfulCreate"]


def replica_sets(c: Cluster) -> dict[str, dict]:
    return {rs["metadata"]["name"]: rs for rs in c.api.list("ReplicaSet", namespace="default")}


def sizes_by_image(c: Cluster) -> list[tuple[str, int]]:
    """(image, spec.replicas) of each ReplicaSet."""
    return sorted((rs["spec"]["template"]["spec"]["containers"][0]["image"],
                   rs["spec"]["replicas"]) for rs in replica_sets(c).values())


def live_pods(c: Cluster) -> list[dict]:
    return [p for p in c.api.list("Pod", namespace="default")
            if not p["metadata"].get("deletionTimestamp")]


@pytest.fixture()
def cluster() -> Cluster:
    c = Cluster(nodes=3, seed=7)
    assert c.apply(NGINX_DEPLOYMENT) == ["deployment.apps/nginx-deployment created"]
    return c


def test_created_deployment_rolls_out_three_pods_named_after_its_replica_set(cluster):
    status = cluster.kubectl("rollout status deployment/nginx-deployment")
    assert status.returncode == 0
    assert status.stdout.splitlines()[-1] == \
        'deployment "nginx-deployment" successfully rolled out'
    (rs_name, rs), = replica_sets(cluster).items()
    pod_hash = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs_name == f"nginx-deployment-{pod_hash}"
    assert re.fullmatch("[bcdf456789]{1,10}", pod_hash)
    pods = live_pods(cluster)
    assert len(pods) == 3
    for pod in pods:
        assert re.fullmatch(rf"{rs_name}-[bcdfghjklmnpqrstvwxz2456789]{{5}}",
                            pod["metadata"]["name"])
        assert pod["metadata"]["labels"] == {"app": "nginx", "pod-template-hash": pod_hash}
    table = cluster.kubectl("get deployments").stdout.splitlines()
    assert table[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert table[1].split()[:4] == ["nginx-deployment", "3/3", "3", "3"]


def test_image_update_follows_the_docs_sequence_of_replica_set_sizes(cluster):
    cluster.kubectl("rollout status deployment/nginx-deployment")
    old_rs = next(iter(replica_sets(cluster)))
    result = cluster.kubectl("set image deployment/nginx-deployment nginx=nginx:1.16.1")
    assert result.stdout == "deployment.apps/nginx-deployment image updated\n"
    status = cluster.kubectl("rollout status deployment/nginx-deployment")
    assert status.returncode == 0
    new_rs = next(name for name in replica_sets(cluster) if name != old_rs)
    assert scaling_events(cluster, "nginx-deployment") == [
        (old_rs, 0, 3),
        (new_rs, 0, 1), (old_rs, 3, 2), (new_rs, 1, 2), (old_rs, 2, 1), (new_rs, 2, 3),
        (old_rs, 1, 0),
    ]
    sets = replica_sets(cluster)
    assert sets[new_rs]["status"]["readyReplicas"] == 3
    assert sets[old_rs]["spec"]["replicas"] == 0
    assert {p["spec"]["containers"][0]["image"] for p in live_pods(cluster)} == {"nginx:1.16.1"}
    deployment = cluster.api.get("Deployment", "nginx-deployment")
    assert deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"


def test_rolling_update_never_exceeds_surge_nor_drops_below_availability(cluster):
    cluster.kubectl("rollout status deployment/nginx-deployment")
    cluster.kubectl("set image deployment/nginx-deployment nginx=nginx:1.16.1")
    for _ in range(120):
        pods = live_pods(cluster)
        ready = [p for p in pods if any(c["type"] == "Ready" and c["status"] == "True"
                                        for c in p.get("status", {}).get("conditions", []))]
        # replicas 3: maxSurge 25% rounds up to 1, maxUnavailable 25% rounds down to 0.
        assert len(pods) <= 4
        assert len(ready) >= 3
        cluster.run(0.5)


def test_stuck_rollout_keeps_old_pods_and_one_failing_new_pod(cluster):
    cluster.kubectl("rollout status deployment/nginx-deployment")
    cluster.kubectl("set image deployment/nginx-deployment nginx=nginx:1.161")
    status = cluster.kubectl("rollout status deployment/nginx-deployment --timeout=60s")
    assert status.returncode == 1
    assert status.stdout.splitlines()[-1] == ('Waiting for deployment "nginx-deployment" '
                                              "rollout to finish: 1 out of 3 new replicas have "
                                              "been updated...")
    assert status.stderr == "error: timed out waiting for the condition\n"
    assert sizes_by_image(cluster) == [("nginx:1.14.2", 3), ("nginx:1.161", 1)]
    pods = cluster.kubectl("get pods").stdout
    assert re.search(r"nginx-deployment-\S+\s+0/1\s+(ErrImagePull|ImagePullBackOff)", pods)


def test_undo_to_revision_two_of_three_becomes_revision_four(cluster):
    cluster.kubectl("rollout status deployment/nginx-deployment")
    cluster.kubectl("set image deployment/nginx-deployment nginx=nginx:1.16.1")
    cluster.kubectl("rollout status deployment/nginx-deployment")
    cluster.kubectl("set image deployment/nginx-deployment nginx=nginx:1.161")
    cluster.run(30)
    history = cluster.kubectl("rollout history deployment/nginx-deployment").stdout
    assert history.splitlines()[:2] == ["deployment.apps/nginx-deployment ",
                                        "REVISION  CHANGE-CAUSE"]
    assert [line.split()[0] for line in history.splitlines()[2:] if line] == ["1", "2", "3"]
    undo = cluster.kubectl("rollout undo deployment/nginx-deployment --to-revision=2")
    assert undo.stdout == "deployment.apps/nginx-deployment rolled back\n"
    assert cluster.kubectl("rollout status deployment/nginx-deployment").returncode == 0
    history = cluster.kubectl("rollout history deployment/nginx-deployment").stdout
    assert [line.split()[0] for line in history.splitlines()[2:] if line] == ["1", "3", "4"]
    image = cluster.api.get("Deployment", "nginx-deployment")["spec"]["template"]["spec"][
        "containers"][0]["image"]
    assert image == "nginx:1.16.1"
    missing = cluster.kubectl("rollout undo deployment/nginx-deployment --to-revision=9")
    assert (missing.returncode, missing.stderr) == (
        1, "error: unable to find specified revision 9 in history\n")


def test_scaling_down_deletes_doubled_up_and_newest_pods_first(cluster):
    cluster.kubectl("rollout status deployment/nginx-deployment")
    originals = {p["metadata"]["name"] for p in live_pods(cluster)}
    cluster.run(100)
    assert cluster.kubectl("scale deployment/nginx-deployment --replicas=5").stdout == \
        "deployment.apps/nginx-deployment scaled\n"
    cluster.kubectl("rollout status deployment/nginx-deployment")
    added = {p["metadata"]["name"] for p in live_pods(cluster)} - originals
    assert len(added) == 2
    cluster.run(100)
    cluster.kubectl("scale deployment/nginx-deployment --replicas=2")
    survivors = live_pods(cluster)
    names = {p["metadata"]["name"] for p in survivors}
    # Ranked as ActivePodsWithRanks: pods sharing a node with another replica go first, and of
    # those the ones ready for less time (in powers of two) - the two added ones - first.
    assert len(survivors) == 2
    assert not names & added
    assert len({p["spec"]["nodeName"] for p in survivors}) == 2


def test_deleted_pod_is_replaced_at_once(cluster):
    cluster.kubectl("rollout status deployment/nginx-deployment")
    cluster.run(30)
    victim = live_pods(cluster)[0]["metadata"]["name"]
    deleted_at = cluster.now
    cluster.kubectl(f"delete pod {victim} --wait=false")
    live = live_pods(cluster)
    assert len(live) == 3
    assert victim not in {p["metadata"]["name"] for p in live}
    replacement, = [p for p in live if p["metadata"]["creationTimestamp"] == timestamp(deleted_at)]
    assert replacement["metadata"]["name"] in created_pods_of_replica_sets(cluster)


def test_recreate_stops_every_old_pod_before_starting_new_ones():
    c = Cluster(nodes=3, seed=3)
    c.apply(NGINX_DEPLOYMENT.replace("spec:\n  replicas: 3",
                                     "spec:\n  strategy:\n    type: Recreate\n  replicas: 3"))
    c.kubectl("rollout status deployment/nginx-deployment")
    c.kubectl("set image deployment/nginx-deployment nginx=nginx:1.16.1")
    for _ in range(200):
        images = {p["spec"]["containers"][0]["image"]
                  for p in c.api.list("Pod", namespace="default")}
        assert images != {"nginx:1.14.2", "nginx:1.16.1"}, "old and new pods at the same time"
        c.run(0.5)
    assert c.kubectl("rollout status deployment/nginx-deployment").returncode == 0
    events = scaling_events(c, "nginx-deployment")
    old, new = events[0][0], events[-1][0]
    assert events == [(old, 0, 3), (old, 3, 0), (new, 0, 3)]


def test_paused_deployment_does_not_roll_until_resumed(cluster):
    cluster.kubectl("rollout status deployment/nginx-deployment")
    assert cluster.kubectl("rollout pause deployment/nginx-deployment").stdout == \
        "deployment.apps/nginx-deployment paused\n"
    cluster.kubectl("set image deployment/nginx-deployment nginx=nginx:1.16.1")
    cluster.run(60)
    assert len(replica_sets(cluster)) == 1
    progressing = next(c for c in cluster.api.get("Deployment", "nginx-deployment")["status"]
                       ["conditions"] if c["type"] == "Progressing")
    assert (progressing["status"], progressing["reason"]) == ("Unknown", "DeploymentPaused")
    assert cluster.kubectl("rollout resume deployment/nginx-deployment").stdout == \
        "deployment.apps/nginx-deployment resumed\n"
    assert cluster.kubectl("rollout status deployment/nginx-deployment").returncode == 0
    assert len(replica_sets(cluster)) == 2


def test_progress_deadline_exceeded_fails_rollout_status():
    c = Cluster(nodes=2, seed=1)
    c.apply(NGINX_DEPLOYMENT.replace("replicas: 3", "replicas: 3\n  progressDeadlineSeconds: 30"))
    c.kubectl("rollout status deployment/nginx-deployment")
    c.kubectl("set image deployment/nginx-deployment nginx=nginx:1.161")
    started = c.now
    status = c.kubectl("rollout status deployment/nginx-deployment")
    assert status.returncode == 1
    assert status.stderr == 'error: deployment "nginx-deployment" exceeded its progress deadline\n'
    assert 30 < c.now - started < 60
    progressing = next(cond for cond in c.api.get("Deployment", "nginx-deployment")["status"]
                       ["conditions"] if cond["type"] == "Progressing")
    assert (progressing["status"], progressing["reason"]) == ("False", "ProgressDeadlineExceeded")
    assert progressing["message"].endswith("has timed out progressing.")


def test_revision_history_limit_deletes_the_oldest_empty_replica_sets():
    c = Cluster(nodes=2, seed=5)
    c.apply(NGINX_DEPLOYMENT.replace("replicas: 3", "replicas: 2\n  revisionHistoryLimit: 1"))
    c.kubectl("rollout status deployment/nginx-deployment")
    for image in ("nginx:1.16.1", "nginx:1.25", "nginx:latest"):
        c.kubectl(f"set image deployment/nginx-deployment nginx={image}")
        c.kubectl("rollout status deployment/nginx-deployment")
    c.run(5)
    revisions = sorted(int(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"])
                       for rs in replica_sets(c).values())
    assert revisions == [3, 4]


def test_describe_deployment_shows_replicas_strategy_and_replica_sets(cluster):
    cluster.kubectl("rollout status deployment/nginx-deployment")
    text = cluster.kubectl("describe deployment nginx-deployment").stdout
    rs_name = next(iter(replica_sets(cluster)))
    assert "Replicas:               3 desired | 3 updated | 3 total | 3 available | " \
           "0 unavailable\n" in text
    assert "StrategyType:           RollingUpdate\n" in text
    assert "RollingUpdateStrategy:  25% max unavailable, 25% max surge\n" in text
    assert f"NewReplicaSet:   {rs_name} (3/3 replicas created)\n" in text
    assert "OldReplicaSets:  <none>\n" in text
    assert re.search(r"Progressing\s+True\s+NewReplicaSetAvailable", text)
    assert f"Scaled up replica set {rs_name} from 0 to 3" in text


def test_scaling_in_the_middle_of_a_rollout_is_proportional():
    # The docs' "Proportional scaling" example: 10 replicas, maxSurge 3, maxUnavailable 2, a
    # rollout stuck on a bad image, then a scale to 15.
    c = Cluster(nodes=3, seed=8)
    c.apply(NGINX_DEPLOYMENT.replace("replicas: 3", "replicas: 10\n  strategy:\n"
                                     "    rollingUpdate: {maxSurge: 3, maxUnavailable: 2}"))
    c.kubectl("rollout status deployment/nginx-deployment")
    c.kubectl("set image deployment/nginx-deployment nginx=nginx:sometag")
    c.run(30)
    assert sizes_by_image(c) == [("nginx:1.14.2", 8), ("nginx:sometag", 5)]
    c.kubectl("scale deployment/nginx-deployment --replicas=15")
    assert sizes_by_image(c) == [("nginx:1.14.2", 11), ("nginx:sometag", 7)]
