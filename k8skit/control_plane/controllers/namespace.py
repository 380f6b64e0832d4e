"""The namespace controller: empty a Terminating namespace, then let it go.

Source: ``pkg/controller/namespace/namespace_controller.go`` and
``deletion/namespaced_resources_deleter.go``; docs ``concepts/overview/working-with-objects/
namespaces.md``.

``kubectl delete namespace dev`` does not remove the namespace at once. The API server marks it
(``deletionTimestamp``, ``status.phase: Terminating``) and keeps it while its ``spec.finalizers``
still lists ``kubernetes``; no new object may be created in it meanwhile. This controller then
deletes every object in the namespace, reports what is left in the namespace's conditions
(``NamespaceContentRemaining``: ``Some resources are remaining: pods. has 2 resource
instances``), waits for the pods to finish their graceful termination and, once the namespace is
empty, removes its ``kubernetes`` finalizer so that the namespace itself is deleted.

The API server's side (refusing to delete ``default``, ``kube-system`` and ``kube-public``,
marking a namespace Terminating, refusing new content in it, removing it once its finalizers are
gone) belongs to its NamespaceLifecycle admission plugin, not to this controller.
"""

from __future__ import annotations

import contextlib

from k8skit.api.errors import NotFound
from k8skit.api.kinds import KINDS
from k8skit.api.meta import seconds_of, timestamp
from k8skit.api.server import APIServer
from k8skit.clock import Clock
from k8skit.control_plane.controllers.informer import SharedInformerFactory
from k8skit.control_plane.controllers.workqueue import WorkQueue

COMPONENT = "namespace-controller"
KUBERNETES_FINALIZER = "kubernetes"

# The deletion conditions in the order upstream writes them, each with its "all is well" reason
# and message (namespace_condition_updater.go).
_CONDITIONS = (
    ("NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered",
     "All resources successfully discovered"),
    ("NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions",
     "All legacy kube types successfully parsed"),
    ("NamespaceDeletionContentFailure", "ContentDeleted",
     "All content successfully deleted, may be waiting on finalization"),
    ("NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"),
    ("NamespaceFinalizersRemaining", "ContentHasNoFinalizers",
     "All content-preserving finalizers finished"),
)

# When content remains but nothing says how long it will take, look again after this long.
RECHECK_SECONDS = 5.0


class NamespaceController:
    """Deletes the content of Terminating namespaces and finalizes them."""

    def __init__(self, api: APIServer, clock: Clock, informers: SharedInformerFactory) -> None:
        self.api = api
        self.clock = clock
        self.queue = WorkQueue(clock, self.sync)
        informers.informer("Namespace").add_handler(self._namespace_changed)
        informers.informer("Pod").add_handler(self._pod_changed)

    def _namespace_changed(self, event_type: str, namespace: dict) -> None:
        if event_type != "DELETED" and namespace["metadata"].get("deletionTimestamp"):
            self.queue.add(namespace["metadata"]["name"])

    def _pod_changed(self, event_type: str, pod: dict) -> None:
        """A pod that finished terminating may have been the last thing holding a namespace."""
        if event_type != "DELETED":
            return
        name = pod["metadata"].get("namespace", "default")
        namespace = self.api.try_get("Namespace", name, None)
        if namespace is not None and namespace["metadata"].get("deletionTimestamp"):
            self.queue.add(name)

    def sync(self, name: str) -> None:
        namespace = self.api.try_get("Namespace", name, None)
        if namespace is None or not namespace["metadata"].get("deletionTimestamp"):
            return
        if namespace.setdefault("status", {}).get("phase") != "Terminating":
            namespace["status"]["phase"] = "Terminating"
            self.api.update_status(namespace, user=COMPONENT)
        remaining, estimate = self._delete_all_content(name)
        self._update_conditions(namespace, remaining)
        if remaining:
            self.queue.add_after(name, max(estimate, RECHECK_SECONDS))
            return
        self._finalize(namespace)

    def _delete_all_content(self, namespace: str) -> tuple[dict[str, int], float]:
        """Delete every object in the namespace; return what is still there, per resource, and
        how long the slowest terminating pod may still take."""
        remaining: dict[str, int] = {}
        estimate = 0.0
        for kind in KINDS.values():
            if not kind.namespaced:
                continue
            for obj in self.api.list(kind.kind, namespace=namespace):
                if not obj["metadata"].get("deletionTimestamp"):
                    try:
                        self.api.delete(kind.kind, obj["metadata"]["name"], namespace,
                                        user=COMPONENT)
                    except NotFound:
                        continue
            left = self.api.list(kind.kind, namespace=namespace)
            if left:
                remaining[f"{kind.plural}.{kind.group}"] = len(left)
            for obj in left:
                deadline = obj["metadata"].get("deletionTimestamp")
                if deadline:
                    estimate = max(estimate, seconds_of(deadline) - self.clock.now)
        return remaining, estimate

    def _update_conditions(self, namespace: dict, remaining: dict[str, int]) -> None:
        failing = {}
        if remaining:
            listed = ", ".join(sorted(f"{resource} has {count} resource instances"
                                      for resource, count in remaining.items()))
            failing["NamespaceContentRemaining"] = (
                "True", "SomeResourcesRemain", f"Some resources are remaining: {listed}")
        old = {c["type"]: c for c in namespace["status"].get("conditions") or ()}
        conditions = []
        for type_, ok_reason, ok_message in _CONDITIONS:
            status, reason, message = failing.get(type_, ("False", ok_reason, ok_message))
            previous = old.get(type_)
            if previous is not None and (previous["status"], previous.get("reason"),
                                         previous.get("message")) == (status, reason, message):
                conditions.append(previous)
            else:
                conditions.append({"type": type_, "status": status,
                                   "lastTransitionTime": timestamp(self.clock.now),
                                   "reason": reason, "message": message})
        if conditions != namespace["status"].get("conditions"):
            namespace["status"]["conditions"] = conditions
            self.api.update_status(namespace, user=COMPONENT)

    def _finalize(self, namespace: dict) -> None:
        """Remove the ``kubernetes`` finalizer; with none left the namespace is deleted."""
        spec = namespace.setdefault("spec", {})
        finalizers = [f for f in spec.get("finalizers") or () if f != KUBERNETES_FINALIZER]
        if finalizers != spec.get("finalizers"):
            if finalizers:
                spec["finalizers"] = finalizers
            else:
                spec.pop("finalizers", None)
            self.api.update(namespace, user=COMPONENT)
        if finalizers or namespace["metadata"].get("finalizers"):
            return
        with contextlib.suppress(NotFound):
            self.api.delete("Namespace", namespace["metadata"]["name"], None, user=COMPONENT)
