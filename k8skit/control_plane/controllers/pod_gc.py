"""The pod garbage collector: pods bound to a node that no longer exists are removed.

Source: ``pkg/controller/podgc/gc_controller.go`` (``gcOrphaned``). When a Node object is
deleted (``kubectl delete node``, or a cloud removing a machine), the pods bound to it have no
kubelet left to finish them. The collector waits a quarantine of 40 s (the node may be
re-registering), then marks each such pod with a ``DisruptionTarget`` condition
(``DeletionByPodGC``) and deletes it at once, with no grace period: nothing is left to stop
its containers. Their controllers then create replacements on the remaining nodes.

Upstream also collects terminated pods above ``--terminated-pod-gc-threshold`` (12,500) and
terminating pods on out-of-service nodes; the simulator leaves those out.
"""

from __future__ import annotations

from k8skit.api.errors import NotFound
from k8skit.api.meta import condition, set_condition
from k8skit.api.server import APIServer
from k8skit.clock import Clock
from k8skit.control_plane.controllers.informer import SharedInformerFactory

COMPONENT = "pod-garbage-collector"
QUARANTINE_SECONDS = 40.0  # gcCheckPeriod 20 s and quarantineTime 40 s in gc_controller.go


class PodGCController:
    """Deletes the pods of nodes that are gone, after a quarantine."""

    def __init__(self, api: APIServer, clock: Clock, informers: SharedInformerFactory) -> None:
        self.api = api
        self.clock = clock
        self.nodes = informers.informer("Node")
        self.nodes.add_handler(self._node_changed)

    def _node_changed(self, event_type: str, node: dict) -> None:
        if event_type == "DELETED":
            self.clock.call_later(QUARANTINE_SECONDS, self._collect, node["metadata"]["name"])

    def _collect(self, node_name: str) -> None:
        """Delete the pods still bound to ``node_name`` if the node has not come back."""
        if self.nodes.get(node_name, None) is not None:
            return
        for pod in self.api.pods_on_node(node_name):
            meta = pod["metadata"]
            set_condition(pod, condition(
                "DisruptionTarget", "True", self.clock.now, reason="DeletionByPodGC",
                message="PodGC: node no longer exists"))
            self.api.update_status(pod, user=COMPONENT)
            try:
                self.api.delete("Pod", meta["name"], meta.get("namespace"),
                                grace_period_seconds=0, user=COMPONENT)
            except NotFound:
                continue
