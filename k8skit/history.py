"""A recorder of what happened in a cluster over simulated time, for pictures of change.

The API server keeps only the present: a deleted pod is gone, a ReplicaSet scaled to 0 no
longer says it once ran 3 pods. To draw a rollout or a node failure over time, something must
have been watching. :class:`ClusterHistory` is that something: a read-only client that, like
any controller, lists the objects it cares about and then follows the API server's watches
(Pods, ReplicaSets, Deployments, Nodes), writing down each change with the simulated time it
happened at. It never writes to the API server, so recording changes nothing in the cluster.

A recorder sees only what happens after it starts: start it before the story you want to
tell (``history = record(cluster)``, then ``cluster.run(...)``). :func:`record` returns the
cluster's recorder, starting one the first time, so every figure and dashboard that asks for
the history of one cluster shares one recorder.

Watch events carry the object as it is when the event is delivered, at the same simulated
instant as the write; several writes in one instant are recorded as the last of them.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from k8skit.api.meta import seconds_of
from k8skit.api.store import WatchEvent
from k8skit.control_plane.controllers import deployment_util
from k8skit.kubectl.printers.tables import node_status, pod_summary


@dataclass(frozen=True)
class PodState:
    """A pod as ``kubectl get pods -o wide`` showed it from ``time`` on."""

    time: float
    status: str                 # the STATUS column
    node: str | None
    ready: bool
    restarts: int
    disruption: str | None      # reason of a DisruptionTarget condition (eviction), if any


@dataclass
class PodLife:
    """One pod from creation to deletion (pods are never moved: a replacement is a new pod)."""

    uid: str
    namespace: str
    name: str
    metadata: dict              # labels and ownerReferences, as at creation
    created: float
    states: list[PodState] = field(default_factory=list)
    deleted: float | None = None

    @property
    def node(self) -> str | None:
        """The node the pod was bound to (None if it never was)."""
        return next((state.node for state in self.states if state.node), None)


@dataclass(frozen=True)
class ReplicaSetSample:
    """A ReplicaSet's desired and observed replicas from ``time`` on."""

    time: float
    desired: int                # spec.replicas
    replicas: int               # status.replicas: pods it has
    ready: int
    available: int


@dataclass
class ReplicaSetLife:
    """One ReplicaSet's replicas over time, and the revisions it was rolled out as."""

    namespace: str
    name: str
    owner: str | None           # the Deployment that controls it
    revisions: list[int]        # a rollback makes an old ReplicaSet the newest revision again
    images: tuple[str, ...]
    samples: list[ReplicaSetSample] = field(default_factory=list)
    deleted: float | None = None

    @property
    def revision(self) -> int:
        return self.revisions[-1] if self.revisions else 0

    def at(self, time: float) -> ReplicaSetSample | None:
        return _sample_at(self.samples, time, self.deleted)


@dataclass(frozen=True)
class DeploymentSample:
    """A Deployment's spec and status from ``time`` on; surge and unavailability resolved to
    pod counts for the current ``replicas`` (``deployment_util.resolve_fenceposts``)."""

    time: float
    desired: int
    max_surge: int
    max_unavailable: int
    strategy: str
    replicas: int
    updated: int
    ready: int
    available: int


@dataclass
class DeploymentLife:
    """One Deployment's spec and status over time."""

    namespace: str
    name: str
    samples: list[DeploymentSample] = field(default_factory=list)
    deleted: float | None = None

    def at(self, time: float) -> DeploymentSample | None:
        return _sample_at(self.samples, time, self.deleted)


def _sample_at(samples: list, time: float, deleted: float | None):
    if deleted is not None and time >= deleted:
        return None
    found = None
    for sample in samples:
        if sample.time > time:
            break
        found = sample
    return found


class ClusterHistory:
    """Pods, ReplicaSets, Deployments and Nodes of one cluster, as they changed over time."""

    def __init__(self, cluster) -> None:
        self.api = cluster.api
        self.clock = cluster.clock
        self.started = self.clock.now
        self.pods: dict[str, PodLife] = {}
        self.replica_sets: dict[tuple[str, str], ReplicaSetLife] = {}
        self.deployments: dict[tuple[str, str], DeploymentLife] = {}
        self.nodes: dict[str, list[tuple[float, str]]] = {}
        for kind, handler in (("Node", self._node), ("Pod", self._pod),
                              ("ReplicaSet", self._replica_set),
                              ("Deployment", self._deployment)):
            for obj in self.api.list(kind):
                handler(WatchEvent("ADDED", obj))
            self.api.watch(kind, handler)

    @property
    def now(self) -> float:
        return self.clock.now

    # -- queries ------------------------------------------------------------------------------
    def deployment(self, name: str, namespace: str = "default") -> DeploymentLife:
        found = self.deployments.get((namespace, name))
        if found is None:
            raise KeyError(f'no Deployment "{name}" in namespace "{namespace}" was recorded '
                           f"since t = {self.started:g} s")
        return found

    def replica_sets_of(self, deployment: str, namespace: str = "default"
                        ) -> list[ReplicaSetLife]:
        """The ReplicaSets a Deployment controlled, in the order they were first rolled out."""
        owned = [rs for rs in self.replica_sets.values()
                 if rs.namespace == namespace and rs.owner == deployment]
        return sorted(owned, key=lambda rs: (rs.revisions[:1], rs.name))

    # -- watch handlers -----------------------------------------------------------------------
    def _node(self, event: WatchEvent) -> None:
        changes = self.nodes.setdefault(event.object["metadata"]["name"], [])
        status = "Deleted" if event.type == "DELETED" else node_status(event.object)
        if not changes or changes[-1][1] != status:
            changes.append((self.clock.now, status))

    def _pod(self, event: WatchEvent) -> None:
        pod = event.object
        meta = pod["metadata"]
        life = self.pods.get(meta["uid"])
        if life is None:
            if event.type == "DELETED":
                return
            life = PodLife(
                uid=meta["uid"], namespace=meta.get("namespace", "default"), name=meta["name"],
                metadata={"name": meta["name"], "labels": dict(meta.get("labels") or {}),
                          "ownerReferences": list(meta.get("ownerReferences") or [])},
                created=min(self.clock.now, _seconds(meta.get("creationTimestamp"),
                                                     self.clock.now)))
            self.pods[meta["uid"]] = life
        if event.type == "DELETED":
            life.deleted = self.clock.now
            return
        summary = pod_summary(pod)
        disruption = next((c.get("reason") for c in pod.get("status", {}).get("conditions") or []
                           if c.get("type") == "DisruptionTarget" and c.get("status") == "True"),
                          None)
        _append(life.states, PodState(
            self.clock.now, summary.reason, pod["spec"].get("nodeName") or None,
            summary.total > 0 and summary.ready == summary.total, summary.restarts, disruption))

    def _replica_set(self, event: WatchEvent) -> None:
        rs = event.object
        meta = rs["metadata"]
        key = (meta.get("namespace", "default"), meta["name"])
        life = self.replica_sets.get(key)
        if life is None:
            owner = next((o.get("name") for o in meta.get("ownerReferences") or []
                          if o.get("controller") and o.get("kind") == "Deployment"), None)
            containers = rs["spec"].get("template", {}).get("spec", {}).get("containers") or []
            life = ReplicaSetLife(key[0], key[1], owner, [],
                                  tuple(c.get("image", "") for c in containers))
            self.replica_sets[key] = life
        if event.type == "DELETED":
            life.deleted = self.clock.now
            return
        revision = deployment_util.revision(rs)
        if revision and revision != life.revision:
            life.revisions.append(revision)
        status = rs.get("status") or {}
        _append(life.samples, ReplicaSetSample(
            self.clock.now, rs["spec"].get("replicas", 1), status.get("replicas", 0),
            status.get("readyReplicas", 0), status.get("availableReplicas", 0)))

    def _deployment(self, event: WatchEvent) -> None:
        deployment = event.object
        meta = deployment["metadata"]
        key = (meta.get("namespace", "default"), meta["name"])
        life = self.deployments.setdefault(key, DeploymentLife(*key))
        if event.type == "DELETED":
            life.deleted = self.clock.now
            return
        spec, status = deployment["spec"], deployment.get("status") or {}
        rolling = deployment_util.is_rolling_update(deployment)
        _append(life.samples, DeploymentSample(
            self.clock.now, spec.get("replicas", 1),
            deployment_util.max_surge(deployment) if rolling else 0,
            deployment_util.max_unavailable(deployment) if rolling else spec.get("replicas", 1),
            (spec.get("strategy") or {}).get("type", "RollingUpdate"),
            status.get("replicas", 0), status.get("updatedReplicas", 0),
            status.get("readyReplicas", 0), status.get("availableReplicas", 0)))


def _append(samples: list, sample) -> None:
    """Add a sample (or a pod's state) unless nothing but the time changed; a later one at the
    same instant replaces the earlier."""
    if samples:
        last = samples[-1]
        if _values(last) == _values(sample):
            return
        if last.time == sample.time:
            samples[-1] = sample
            return
    samples.append(sample)


def _values(sample) -> tuple:
    return tuple(getattr(sample, name) for name in sample.__dataclass_fields__ if name != "time")


def _seconds(timestamp: str | None, default: float) -> float:
    return seconds_of(timestamp) if timestamp else default


# Each cluster's recorder, by the cluster's API server. Both references are weak: the API server's
# watch list keeps a recorder alive exactly as long as its cluster lives.
_recorders: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def record(cluster) -> ClusterHistory:
    """The recorder of ``cluster``'s history, started now if it has none yet."""
    recorder = history_of(cluster)
    if recorder is None:
        recorder = ClusterHistory(cluster)
        _recorders[cluster.api] = weakref.ref(recorder)
    return recorder


def history_of(cluster) -> ClusterHistory | None:
    """The recorder started on ``cluster`` by :func:`record`, if any."""
    found = _recorders.get(cluster.api)
    return found() if found is not None else None


def recorded(source) -> ClusterHistory:
    """``source`` itself if it is a ClusterHistory, else the history recorded for the cluster
    ``source`` (a clear error if nothing was)."""
    if isinstance(source, ClusterHistory):
        return source
    found = history_of(source)
    if found is None:
        raise ValueError("nothing was recorded for this cluster: start a recorder before the "
                         "story you want to see (history = k8skit.history.record(cluster))")
    return found
