"""The scheduler's cache: every node and what is already placed on it, as columns.

kube-scheduler never lists the cluster while it schedules. It keeps a cache
(``pkg/scheduler/backend/cache``) fed by watch events: a ``NodeInfo`` per node with the node's
allocatable resources, the pods bound to it and the sum of their requests. When it decides to
put a pod on a node it *assumes* the pod into that NodeInfo at once, before the binding reaches
the API server, so the next pod already sees the room taken.

:class:`NodeTable` is that cache laid out as a table: one row per node and one numpy column per
quantity (allocatable cpu, requested memory, pod count ...), so a plugin can answer for every node
with a few array operations. Upstream copies the cache into a snapshot at the start of each
cycle because watch events arrive concurrently; here a cycle runs within one instant of the
simulated clock, so the table itself is the snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from k8skit.api.meta import controller_of
from k8skit.control_plane.scheduler.pod_info import (
    PodInfo,
    Requests,
    quantity_millis,
    quantity_value,
)

LABEL_HOSTNAME = "kubernetes.io/hostname"
LABEL_ZONE = "topology.kubernetes.io/zone"
LABEL_REGION = "topology.kubernetes.io/region"

_RESOURCE_COLUMNS = ("alloc_cpu", "alloc_memory", "alloc_storage", "alloc_pods",
                     "req_cpu", "req_memory", "req_storage", "nz_cpu", "nz_memory", "pod_count",
                     "free_cpu", "free_memory", "free_storage", "free_pods")


@dataclass
class CachedPod:
    """A pod bound (or assumed) to a node, with what it takes from the node."""

    uid: str
    namespace: str
    name: str
    node_name: str
    labels: dict
    requests: Requests
    non_zero: Requests
    owner_uid: str | None
    priority: int
    terminating: bool
    assumed: bool
    pod: dict

    @classmethod
    def of(cls, info: PodInfo, node_name: str, assumed: bool) -> CachedPod:
        return cls(info.uid, info.namespace, info.name, node_name, info.labels, info.requests,
                   info.non_zero_requests, info.owner_uid, info.priority, info.terminating,
                   assumed, info.pod)

    def still_describes(self, pod: dict) -> bool:
        """Whether the live ``pod`` changed nothing this entry holds: the same object (so the
        same requests, and the labels are read live), bound to the node it was assumed on or
        is bound to, as terminating or not as before, under the same controller. The binding
        of a pod the scheduler assumed, and the kubelet's status writes, most pod events, leave
        the node's accounting as it was."""
        controller = controller_of(pod)
        return (self.pod is pod
                and self.node_name == pod["spec"].get("nodeName")
                and self.terminating == ("deletionTimestamp" in pod["metadata"])
                and self.owner_uid == (controller.get("uid") if controller else None))


class LabelColumn(NamedTuple):
    """One label key across all nodes: ``codes[row]`` is the code of the node's value (-1
    where the node lacks the label), ``values`` maps each value to its code (codes count up
    from 0 in the order of ``values``), ``everywhere`` says whether every node has the label."""

    codes: np.ndarray
    values: dict[str, int]
    everywhere: bool


def taint_key(taint: dict) -> tuple[str, str, str]:
    return (taint.get("key", ""), taint.get("value", ""), taint.get("effect", ""))


def _scheduling_fingerprint(node: dict) -> str:
    """What of a node the plugins read: labels, spec (taints, unschedulable), allocatable and
    images. Kept as text because the API server hands out its live objects, which change in
    place; a heartbeat (conditions, times) leaves it unchanged."""
    status = node.get("status") or {}
    return repr((node["metadata"].get("labels"), node.get("spec"), status.get("allocatable"),
                 status.get("images")))


class NodeTable:
    """Nodes as rows, resources and codes as numpy columns, kept current by watch events."""

    def __init__(self) -> None:
        self.names: tuple[str, ...] = ()
        self.rows: dict[str, int] = {}
        self.nodes: list[dict] = []
        self._fingerprints: list[str] = []
        self.labels: list[dict[str, str]] = []
        self.images: list[dict[str, int]] = []
        for column in _RESOURCE_COLUMNS:
            setattr(self, column, np.zeros(0, dtype=np.int64))
        self.unschedulable = np.zeros(0, dtype=bool)
        # Each distinct list of taints gets an id; row -> id. Id 0 is "no taints".
        self.taint_sets: list[tuple[dict, ...]] = [()]
        self._taint_set_ids: dict[tuple, int] = {(): 0}
        self.taint_set = np.zeros(0, dtype=np.int64)
        # The order the scheduler walks the nodes in: zones round-robin (node_tree.go).
        self.list_order = np.zeros(0, dtype=np.int64)
        self._list_order_twice = np.zeros(0, dtype=np.int64)
        # Bumped whenever a node is added, removed or changes (not when pods move), so that
        # plugins may keep what they derive from node columns until it changes.
        self.generation = 0
        self.pods: dict[str, CachedPod] = {}
        self.pods_by_row: list[dict[str, CachedPod]] = []
        self._waiting_for_node: dict[str, dict[str, CachedPod]] = {}
        # Per controller (ownerReference uid): how many of its live pods each node runs.
        self.owner_counts: dict[str, np.ndarray] = {}
        self._label_columns: dict[str, LabelColumn] = {}
        self._image_columns: dict[str, tuple[np.ndarray, int]] = {}
        self.any_images = False
        self.all_allocatable: dict[str, bool] = {}

    def __len__(self) -> int:
        return len(self.names)

    # -- nodes --------------------------------------------------------------------------------
    def set_node(self, node: dict) -> None:
        """Add a node, or take in a change to one (labels, taints, allocatable, images)."""
        name = node["metadata"]["name"]
        row = self.rows.get(name)
        fingerprint = _scheduling_fingerprint(node)
        if row is None:
            row = self._append_row(name)
        elif self._fingerprints[row] == fingerprint:
            self.nodes[row] = node  # a heartbeat: nothing a plugin reads has changed
            return
        self.nodes[row] = node
        self._fingerprints[row] = fingerprint
        self.labels[row] = dict(node["metadata"].get("labels") or {})
        status = node.get("status") or {}
        allocatable = status.get("allocatable") or {}
        cpu, memory, storage, pods = (allocatable.get(name) for name in (
            "cpu", "memory", "ephemeral-storage", "pods"))
        self.alloc_cpu[row] = quantity_millis(cpu) if cpu is not None else 0
        self.alloc_memory[row] = quantity_value(memory) if memory is not None else 0
        self.alloc_storage[row] = quantity_value(storage) if storage is not None else 0
        self.alloc_pods[row] = quantity_value(pods) if pods is not None else 0
        self.free_cpu[row] = self.alloc_cpu[row] - self.req_cpu[row]
        self.free_memory[row] = self.alloc_memory[row] - self.req_memory[row]
        self.free_storage[row] = self.alloc_storage[row] - self.req_storage[row]
        self.free_pods[row] = self.alloc_pods[row] - self.pod_count[row]
        spec = node.get("spec") or {}
        self.unschedulable[row] = bool(spec.get("unschedulable"))
        self.taint_set[row] = self._taint_set_id(spec.get("taints") or ())
        self.images[row] = {name: image.get("sizeBytes", 0)
                            for image in status.get("images") or ()
                            for name in image.get("names") or ()}
        self._changed()

    def remove_node(self, name: str) -> None:
        """Forget a deleted node; pods still bound to it wait in case it comes back."""
        row = self.rows.pop(name, None)
        if row is None:
            return
        self._waiting_for_node[name] = self.pods_by_row.pop(row)
        for column in (*_RESOURCE_COLUMNS, "unschedulable", "taint_set"):
            setattr(self, column, np.delete(getattr(self, column), row))
        for owner, counts in self.owner_counts.items():
            self.owner_counts[owner] = np.delete(counts, row)
        del self.nodes[row], self._fingerprints[row], self.labels[row], self.images[row]
        self.names = self.names[:row] + self.names[row + 1:]
        self.rows = {n: i for i, n in enumerate(self.names)}
        self._changed()

    def _append_row(self, name: str) -> int:
        row = len(self.names)
        self.names = (*self.names, name)
        self.rows[name] = row
        self.nodes.append({})
        self._fingerprints.append("")
        self.labels.append({})
        self.images.append({})
        for column in (*_RESOURCE_COLUMNS, "taint_set"):
            setattr(self, column, np.append(getattr(self, column), 0))
        self.unschedulable = np.append(self.unschedulable, False)
        for owner, counts in self.owner_counts.items():
            self.owner_counts[owner] = np.append(counts, 0)
        self.pods_by_row.append({})
        for pod in self._waiting_for_node.pop(name, {}).values():
            self._account(pod, row, +1)
        return row

    def _taint_set_id(self, taints: Iterable[dict]) -> int:
        taints = tuple(taints)
        key = tuple(taint_key(t) for t in taints)
        found = self._taint_set_ids.get(key)
        if found is None:
            found = self._taint_set_ids[key] = len(self.taint_sets)
            self.taint_sets.append(taints)
        return found

    def _changed(self) -> None:
        self.generation += 1
        self._label_columns.clear()
        self._image_columns.clear()
        self.any_images = any(self.images)
        # Whether every node has some of each resource (plugins skip their zero-guards then).
        self.all_allocatable = {"cpu": bool(self.alloc_cpu.all()),
                                "memory": bool(self.alloc_memory.all()),
                                "ephemeral-storage": bool(self.alloc_storage.all())}
        self.list_order = self._node_tree_order()
        self._list_order_twice = np.concatenate((self.list_order, self.list_order))

    def walk_from(self, start: int) -> np.ndarray:
        """All rows in list order, starting at position ``start`` and wrapping around."""
        return self._list_order_twice[start:start + len(self.names)]

    def _node_tree_order(self) -> np.ndarray:
        """Rows in the order upstream's node tree lists them: one node from each zone in turn.

        Source: ``pkg/scheduler/backend/cache/node_tree.go`` (``list``). Walking zones
        round-robin means that when the scheduler only checks part of a big cluster, that part
        still spans every zone.
        """
        zones: dict[tuple[str, str], list[int]] = {}
        for row, labels in enumerate(self.labels):
            zone = (labels.get(LABEL_REGION, ""), labels.get(LABEL_ZONE, ""))
            zones.setdefault(zone, []).append(row)
        if len(zones) <= 1:
            return np.arange(len(self.names), dtype=np.int64)
        order = []
        for i in range(max(len(rows) for rows in zones.values())):
            order.extend(rows[i] for rows in zones.values() if i < len(rows))
        return np.array(order, dtype=np.int64)

    # -- columns derived from node labels and images ------------------------------------------
    def label_column(self, key: str) -> LabelColumn:
        """Each node's value of label ``key`` as a code (see :class:`LabelColumn`)."""
        found = self._label_columns.get(key)
        if found is None:
            values: dict[str, int] = {}
            codes = np.fromiter(
                (values.setdefault(labels[key], len(values)) if key in labels else -1
                 for labels in self.labels), dtype=np.int64, count=len(self.labels))
            found = self._label_columns[key] = LabelColumn(
                codes, values, bool(codes.size) and int(codes.min()) >= 0)
        return found

    def image_column(self, image: str) -> tuple[np.ndarray, int]:
        """Each node's size of ``image`` in bytes (0 where the node lacks it), and how many
        nodes have it (the image's ``NumNodes`` in upstream's ImageStateSummary)."""
        found = self._image_columns.get(image)
        if found is None:
            sizes = np.fromiter((images.get(image, 0) for images in self.images),
                                dtype=np.int64, count=len(self.images))
            found = self._image_columns[image] = (
                sizes, sum(1 for images in self.images if image in images))
        return found

    # -- pods ---------------------------------------------------------------------------------
    def set_pod(self, info: PodInfo) -> None:
        """Account a pod bound to ``info.node_name``, as the API server reports it.

        This also confirms a pod the scheduler assumed; anything else about the pod (it is
        terminating, its labels changed) replaces the old entry.
        """
        self.restore_pod(CachedPod.of(info, info.node_name, assumed=False))

    def assume(self, info: PodInfo, node_name: str) -> None:
        """Count a pod on ``node_name`` before its binding reaches the API server (the
        scheduler cache's AssumePod), so the next cycle already sees the room taken."""
        self.restore_pod(CachedPod.of(info, node_name, assumed=True))

    def restore_pod(self, pod: CachedPod) -> None:
        """Put back a pod :meth:`remove_pod` returned (after a what-if evaluation)."""
        self.remove_pod(pod.uid)
        self.pods[pod.uid] = pod
        row = self.rows.get(pod.node_name)
        if row is None:
            self._waiting_for_node.setdefault(pod.node_name, {})[pod.uid] = pod
        else:
            self._account(pod, row, +1)

    def remove_pod(self, uid: str) -> CachedPod | None:
        """Forget a pod (deleted, finished, or an assumption that did not hold)."""
        pod = self.pods.pop(uid, None)
        if pod is None:
            return None
        row = self.rows.get(pod.node_name)
        if row is None:
            self._waiting_for_node.get(pod.node_name, {}).pop(uid, None)
        else:
            self._account(pod, row, -1)
        return pod

    def _account(self, pod: CachedPod, row: int, sign: int) -> None:
        cpu, memory = sign * pod.requests.cpu, sign * pod.requests.memory
        storage = sign * pod.requests.ephemeral_storage
        self.req_cpu[row] += cpu
        self.req_memory[row] += memory
        self.req_storage[row] += storage
        self.free_cpu[row] -= cpu
        self.free_memory[row] -= memory
        self.free_storage[row] -= storage
        self.nz_cpu[row] += sign * pod.non_zero.cpu
        self.nz_memory[row] += sign * pod.non_zero.memory
        self.pod_count[row] += sign
        self.free_pods[row] -= sign
        if sign > 0:
            self.pods_by_row[row][pod.uid] = pod
        else:
            self.pods_by_row[row].pop(pod.uid, None)
        # Topology spreading counts live pods only: a terminating one is about to leave.
        if pod.owner_uid is not None and not pod.terminating:
            counts = self.owner_counts.get(pod.owner_uid)
            if counts is None:
                counts = self.owner_counts[pod.owner_uid] = np.zeros(len(self.names),
                                                                     dtype=np.int64)
            counts[row] += sign
            if sign < 0 and not counts.any():
                del self.owner_counts[pod.owner_uid]

    def pods_on(self, node_name: str) -> list[CachedPod]:
        row = self.rows.get(node_name)
        return [] if row is None else list(self.pods_by_row[row].values())
