"""The garbage collector: delete what nobody owns any more.

Source: ``pkg/controller/garbagecollector/`` (``garbagecollector.go``: attemptToDeleteItem,
orphanDependents; ``graph_builder.go``: the owner/dependent graph) and the docs page
``concepts/architecture/garbage-collection.md``.

Objects point at their owners through ``metadata.ownerReferences`` (a pod at its ReplicaSet, a
ReplicaSet at its Deployment). Deleting an owner does not delete its dependents by itself: the
garbage collector notices the owner is gone and deletes every dependent none of whose owners
exist any more. That is *background* cascading deletion, what ``kubectl delete`` asks for by
default, and why deleting a Deployment takes its ReplicaSets and then their pods with it.

Two other propagation policies work through finalizers on the owner, which then stays (with a
``deletionTimestamp``) until the collector has done its part:

- ``orphan`` (``kubectl delete --cascade=orphan``): the collector removes the owner's reference
  from every dependent, which then lives on unowned; then the owner goes.
- ``foregroundDeletion`` (``--cascade=foreground``): the collector deletes the dependents first
  and lets the owner go only when none is left.

The simulator's collector watches every served kind except Events (which never have owners). A
reference to a kind the simulated API server does not serve (a DaemonSet) cannot be checked, so
it counts as an existing owner, as upstream treats owners it cannot look up.
"""

from __future__ import annotations

import contextlib
from functools import partial

from k8skit.api.errors import APIError, NotFound
from k8skit.api.kinds import KINDS
from k8skit.api.server import APIServer
from k8skit.clock import Clock
from k8skit.control_plane.controllers.informer import (
    BY_OWNER_UID,
    Informer,
    SharedInformerFactory,
    object_key,
)
from k8skit.control_plane.controllers.workqueue import WorkQueue

COMPONENT = "generic-garbage-collector"
ORPHAN_FINALIZER = "orphan"
FOREGROUND_FINALIZER = "foregroundDeletion"


class GarbageCollector:
    """Cascading deletion by ownerReferences: background, orphan and foreground."""

    def __init__(self, api: APIServer, clock: Clock, informers: SharedInformerFactory) -> None:
        self.api = api
        self.informers: dict[str, Informer] = {
            kind: informers.informer(kind) for kind in KINDS if kind != "Event"}
        self.queue = WorkQueue(clock, self._process)
        self._references: dict[tuple[str, tuple], tuple[str, ...]] = {}
        for kind, informer in self.informers.items():
            informer.add_handler(partial(self._changed, kind))

    # -- the graph builder: decide what to look at ----------------------------------------------
    def _changed(self, kind: str, event_type: str, obj: dict) -> None:
        meta = obj["metadata"]
        key = (kind, object_key(obj))
        if event_type == "DELETED":
            self._references.pop(key, None)
            self.queue.add(("owner-deleted", meta.get("uid", "")))
            # An owner deleted in the foreground may have been waiting for this one.
            for ref in meta.get("ownerReferences") or ():
                owner_kind = KINDS.get(ref.get("kind", ""))
                if owner_kind is not None:
                    owner_ns = meta.get("namespace") if owner_kind.namespaced else None
                    self.queue.add(("owner-finalizing", owner_kind.kind,
                                    (owner_ns, ref.get("name", ""))))
            return
        references = tuple(ref.get("uid", "") for ref in meta.get("ownerReferences") or ())
        if references and self._references.get(key) != references:
            # New or changed references: make sure the owners they name exist.
            self.queue.add(("dependent", kind, key[1]))
        self._references[key] = references
        finalizers = meta.get("finalizers") or ()
        if meta.get("deletionTimestamp") and (ORPHAN_FINALIZER in finalizers
                                              or FOREGROUND_FINALIZER in finalizers):
            self.queue.add(("owner-finalizing", kind, key[1]))

    def _process(self, item: tuple) -> None:
        if item[0] == "owner-deleted":
            for kind, dependent in self._dependents(item[1]):
                self._attempt_to_delete(kind, dependent)
        elif item[0] == "dependent":
            _, kind, (namespace, name) = item
            obj = self.api.try_get(kind, name, namespace)
            if obj is not None:
                self._attempt_to_delete(kind, obj)
        else:
            _, kind, (namespace, name) = item
            owner = self.api.try_get(kind, name, namespace)
            if owner is not None and owner["metadata"].get("deletionTimestamp"):
                self._finalize_owner(kind, owner)

    def _dependents(self, owner_uid: str) -> list[tuple[str, dict]]:
        return [(kind, obj) for kind, informer in self.informers.items()
                for obj in informer.by_index(BY_OWNER_UID, owner_uid)]

    # -- attemptToDeleteItem ---------------------------------------------------------------------
    def _attempt_to_delete(self, kind: str, obj: dict) -> None:
        """Delete ``obj`` if none of its owners exists; drop references to vanished owners
        when some still do."""
        meta = obj["metadata"]
        if meta.get("deletionTimestamp"):
            return
        references = meta.get("ownerReferences") or []
        solid = [ref for ref in references if self._owner_exists(ref, meta.get("namespace"))]
        if solid:
            if len(solid) != len(references):
                meta["ownerReferences"] = solid
                self.api.update(obj, user=COMPONENT)
            return
        with contextlib.suppress(NotFound):
            self.api.delete(kind, meta["name"], meta.get("namespace"), user=COMPONENT)

    def _owner_exists(self, ref: dict, namespace: str | None) -> bool:
        owner_kind = KINDS.get(ref.get("kind", ""))
        if owner_kind is None or owner_kind.api_version != ref.get("apiVersion"):
            return True  # not served here, so it cannot be verified: leave the dependent alone
        owner = self.api.try_get(owner_kind.kind, ref.get("name", ""),
                                 namespace if owner_kind.namespaced else None)
        return owner is not None and owner["metadata"].get("uid") == ref.get("uid")

    # -- orphan and foreground -------------------------------------------------------------------
    def _finalize_owner(self, kind: str, owner: dict) -> None:
        uid = owner["metadata"]["uid"]
        finalizers = owner["metadata"].get("finalizers") or []
        if ORPHAN_FINALIZER in finalizers:
            for dep_kind, dependent in self._dependents(uid):
                self._orphan(dep_kind, dependent, uid)
            self._remove_finalizer(kind, owner, ORPHAN_FINALIZER)
        elif FOREGROUND_FINALIZER in finalizers:
            dependents = self._dependents(uid)
            for dep_kind, dependent in dependents:
                if not dependent["metadata"].get("deletionTimestamp"):
                    self._delete_quietly(dep_kind, dependent)
            if not self._dependents(uid):
                self._remove_finalizer(kind, owner, FOREGROUND_FINALIZER)

    def _orphan(self, kind: str, dependent: dict, owner_uid: str) -> None:
        live = self.api.try_get(kind, dependent["metadata"]["name"],
                                dependent["metadata"].get("namespace"))
        if live is None:
            return
        kept = [r for r in live["metadata"].get("ownerReferences") or ()
                if r.get("uid") != owner_uid]
        if kept:
            live["metadata"]["ownerReferences"] = kept
        else:
            live["metadata"].pop("ownerReferences", None)
        self.api.update(live, user=COMPONENT)

    def _remove_finalizer(self, kind: str, owner: dict, finalizer: str) -> None:
        """Drop our finalizer; an object being deleted with no finalizer left is removed."""
        meta = owner["metadata"]
        meta["finalizers"] = [f for f in meta.get("finalizers") or () if f != finalizer]
        if not meta["finalizers"]:
            del meta["finalizers"]
        self.api.update(owner, user=COMPONENT)
        if not meta.get("finalizers"):
            self._delete_quietly(kind, owner)

    def _delete_quietly(self, kind: str, obj: dict) -> None:
        try:
            self.api.delete(kind, obj["metadata"]["name"], obj["metadata"].get("namespace"),
                            user=COMPONENT)
        except NotFound:
            pass
        except APIError:
            self.queue.add_after(("dependent", kind, object_key(obj)), 1)
