"""The history recorder only watches: it changes nothing in the cluster, there is one per
cluster, and it remembers what the API server forgets (deleted pods, old revisions)."""

from k8skit import Cluster
from k8skit.history import history_of, record
from k8skit.viz.rollout import rollout_timeline

STORY = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "nginx:1.14.2"}]
"""


def play(cluster):
    cluster.apply(STORY)
    cluster.run(30)
    cluster.kubectl("set image deployment/web nginx=nginx:1.16.1")
    cluster.run(30)
    cluster.kubectl("rollout undo deployment/web")
    cluster.run(30)


def test_recording_changes_nothing_in_the_cluster():
    watched, alone = Cluster(nodes=2, seed=5), Cluster(nodes=2, seed=5)
    record(watched)
    play(watched)
    play(alone)
    assert watched.api.audit == alone.api.audit
    assert (watched.kubectl("get pods -A -o wide").stdout
            == alone.kubectl("get pods -A -o wide").stdout)


def test_one_recorder_per_cluster_started_on_demand():
    cluster = Cluster(nodes=1, seed=0)
    assert history_of(cluster) is None
    history = record(cluster)
    assert record(cluster) is history and history_of(cluster) is history


def test_deleted_pods_and_rolled_back_revisions_are_remembered():
    cluster = Cluster(nodes=2, seed=5)
    history = record(cluster)
    play(cluster)
    live = {pod["metadata"]["uid"] for pod in cluster.api.list("Pod")}
    gone = [life for uid, life in history.pods.items() if uid not in live]
    assert len(gone) >= 4 and all(life.deleted is not None for life in gone)
    first = min(history.replica_sets_of("web"), key=lambda rs: rs.revisions[0])
    assert first.revisions == [1, 3]    # rolled out, then rolled back to as revision 3
    names = [trace.name for trace in rollout_timeline(history, "web").data]
    assert f"{first.name} (revisions 1, 3: nginx:1.14.2)" in names
