"""The API server: the only door into the cluster.

Every component of a real cluster (the scheduler, the controllers, every kubelet, kube-proxy) and
every kubectl command talks to kube-apiserver and to nothing else; only the API server talks to
etcd. On the way in it fills the defaults (``restartPolicy: Always``, ``replicas: 1`` ...),
validates the object, stamps its metadata (uid, creationTimestamp, resourceVersion) and only then
stores it. This class does the same in front of :class:`~k8skit.api.store.ObjectStore`.

It also keeps an audit log of every write (who changed what, when), which the course uses to
replay the journey of one ``kubectl apply`` through the components.
"""

from __future__ import annotations

import copy
import random
import uuid
from typing import NamedTuple

from k8skit.api import admission, defaults, labels, schema, validation
from k8skit.api.allocators import ServiceAllocators
from k8skit.api.errors import AlreadyExists, BadRequest, Forbidden, Invalid, NotFound
from k8skit.api.kinds import KINDS, Kind, kind_for
from k8skit.api.meta import canonical_json, random_suffix, timestamp
from k8skit.api.qos import qos_class
from k8skit.api.store import ObjectKey, ObjectStore, WatchHandler
from k8skit.clock import Clock

# Namespaces the NamespaceLifecycle admission plugin never lets go
# (plugin/pkg/admission/namespace/lifecycle: immortalNamespaces).
IMMORTAL_NAMESPACES = ("default", "kube-system", "kube-public")

# Finalizers the garbage collector honours for the two non-default propagation policies.
PROPAGATION_FINALIZERS = {"Orphan": "orphan", "Foreground": "foregroundDeletion"}

# Kinds whose spec changes bump metadata.generation, which their controllers answer with
# status.observedGeneration (how `kubectl rollout status` knows a controller has seen a change).
_GENERATION_KINDS = {"Deployment", "ReplicaSet"}


class AuditRecord(NamedTuple):
    """One write the API server accepted: when, by whom, what, and the revision it became.

    A named tuple of strings and numbers, which Python's cyclic garbage collector stops tracking
    after its first pass: a cluster writes tens of thousands of these an hour, and as tracked
    objects they would make every full collection walk the whole audit log.
    """

    time: float
    user: str
    verb: str
    kind: str
    namespace: str | None
    name: str
    revision: int


class APIServer:
    """Defaulting, validation, metadata and the verbs (create, get, list, update, delete, watch)."""

    def __init__(self, store: ObjectStore, clock: Clock, rng: random.Random) -> None:
        self.store = store
        self.clock = clock
        self._rng = rng
        self._pods_by_node: dict[str, dict[ObjectKey, dict]] = {}
        self._node_of_pod: dict[ObjectKey, str] = {}
        self._specs: dict[tuple[str, ObjectKey], str] = {}
        self.audit: list[AuditRecord] = []
        self.user = "system:admin"
        self._node_proxies: dict[str, object] = {}
        # The Service storage's cluster IP and node port allocators live inside the API server.
        # They draw from their own stream, so creating other objects never moves a Service's IP.
        self.service_allocators = ServiceAllocators(random.Random(rng.getrandbits(64)))
        # Admission plugins that mutate a new object after defaulting (Priority, and the
        # DefaultStorageClass plugin the cluster adds).
        self.admission: list = [admission.admit_priority]

    # -- reading ------------------------------------------------------------------------------
    def get(self, kind: str, name: str, namespace: str | None = "default") -> dict:
        found = self.try_get(kind, name, namespace)
        if found is None:
            raise NotFound(kind, name)
        return found

    def try_get(self, kind: str, name: str, namespace: str | None = "default") -> dict | None:
        return self.store.get(kind, self._key(KINDS[kind], namespace, name))

    def list(self, kind: str, namespace: str | None = None, label_selector=None,
             field_selector: str | None = None) -> list[dict]:
        """Objects of ``kind``, sorted by namespace then name, as ``kubectl get`` lists them."""
        selector = labels.as_selector(label_selector) if label_selector is not None else None
        fields = _parse_field_selector(field_selector) if field_selector else []
        found = []
        for (ns, _name), obj in sorted(self.store.items(kind), key=lambda item: _sort_key(item[0])):
            if namespace is not None and ns != namespace:
                continue
            if selector is not None and not selector.matches(obj["metadata"].get("labels") or {}):
                continue
            if all(_field_matches(obj, path, op, value) for path, op, value in fields):
                found.append(obj)
        return found

    def pods_on_node(self, node_name: str) -> list[dict]:
        """Pods bound to ``node_name`` (an index, like the kubelet's field-selected watch)."""
        return list(self._pods_by_node.get(node_name, {}).values())

    def watch(self, kind: str, handler: WatchHandler, field_selector: str | None = None) -> None:
        """Deliver every change to ``kind`` to ``handler``; ``field_selector`` narrows the watch
        to one field's value, as the kubelet watches only its own pods
        (``spec.nodeName=worker-1``)."""
        if field_selector is None:
            self.store.watch(kind, handler)
            return
        terms = _parse_field_selector(field_selector)
        if len(terms) != 1 or terms[0][1] != "=":
            raise BadRequest(f'a watch takes one "field=value" selector, not "{field_selector}"')
        path, _, value = terms[0]
        self.store.watch(kind, handler, field=(path, value))

    def unwatch(self, kind: str, handler: WatchHandler, field_selector: str | None = None) -> None:
        """Close a watch opened by :meth:`watch` with the same arguments."""
        field = None
        if field_selector is not None:
            path, _, value = _parse_field_selector(field_selector)[0]
            field = (path, value)
        self.store.unwatch(kind, handler, field=field)

    # -- the node proxy -----------------------------------------------------------------------
    def register_node_proxy(self, node_name: str, kubelet: object) -> None:
        """Let the API server reach a node's kubelet (its port 10250), as it does for logs,
        exec and metrics: kubectl never talks to a kubelet directly."""
        self._node_proxies[node_name] = kubelet

    def node_proxy(self, node_name: str):
        """The kubelet serving ``node_name`` (for logs, exec and the stats summary)."""
        if node_name not in self._node_proxies:
            raise NotFound("Node", node_name)
        return self._node_proxies[node_name]

    # -- writing ------------------------------------------------------------------------------
    def create(self, obj: dict, user: str | None = None, handed_over: bool = False) -> dict:
        """Default, validate and store a new object; returns the stored object.

        The server stores its own copy, as a real one stores what it decoded from the request.
        A component that built ``obj`` for this call alone from typed, already-decoded parts
        (as client-go sends Go structs, which cannot carry unknown fields, wrong types or
        uncanonical quantities) hands it over with ``handed_over=True``: no copy, no strict
        decoding and no decode round trip, but the same defaults and validation.
        """
        kind = self._kind_of(obj)
        if not handed_over:
            obj = copy.deepcopy(obj)
        meta = obj.setdefault("metadata", {})
        if kind.namespaced:
            meta.setdefault("namespace", "default")
            self._require_namespace(meta["namespace"], kind, meta.get("name", ""))
        else:
            meta.pop("namespace", None)
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + random_suffix(self._rng)
        if handed_over:
            defaults.set_defaults(obj)
        else:
            self._decode(obj)
        for admit in self.admission:
            admit(self, obj)
        causes = validation.validate(obj)
        if causes:
            raise Invalid(kind, meta.get("name", ""), causes)
        key = self._key(kind, meta.get("namespace"), meta["name"])
        if self.store.get(kind.kind, key) is not None:
            raise AlreadyExists(kind, meta["name"])
        if kind.kind == "Service":
            self.service_allocators.on_create(obj)
        meta["uid"] = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        meta["creationTimestamp"] = timestamp(self.clock.now)
        if kind.kind == "Pod":
            # The API server, not the kubelet, classifies a new pod (pod strategy PrepareForCreate),
            # so even a pod that never leaves Pending shows its QoS class.
            obj["status"] = {"phase": "Pending", "qosClass": qos_class(obj)}
        if kind.kind in _GENERATION_KINDS:
            meta["generation"] = 1
            self._specs[(kind.kind, key)] = canonical_json(obj.get("spec"))
        self._index(kind.kind, key, obj)
        self.store.put(kind.kind, key, obj, "ADDED")
        self._record(user, "create", kind, key)
        return obj

    def update(self, obj: dict, user: str | None = None) -> dict:
        """Replace an object's metadata and spec (the object's status is kept).

        ``obj`` may be the live stored dict after changing it, or a new dict (as kubectl apply
        sends). Identity, creation time and status always come from what is stored.
        """
        kind, key, old = self._existing(obj)
        if obj is not old:
            obj = copy.deepcopy(obj)
            if kind.namespaced:
                # The request's path names the namespace, as it does on create.
                obj["metadata"].setdefault("namespace", key[0])
            for field in ("uid", "creationTimestamp", "generation", "deletionTimestamp",
                          "deletionGracePeriodSeconds"):
                if field in old["metadata"]:
                    obj["metadata"][field] = old["metadata"][field]
                else:
                    obj["metadata"].pop(field, None)
            if "status" in old:
                obj["status"] = old["status"]
            self._decode(obj)
            if kind.kind == "Service":
                self.service_allocators.prepare_update(old, obj)
        causes = validation.validate(obj)
        if obj is not old:
            # The update rules compare the new object with the stored one; the live dict
            # changed in place is both, and every such rule accepts an object unchanged.
            causes += validation.validate_update(obj, old)
        if causes:
            raise Invalid(kind, key[1], causes)
        if kind.kind == "Service" and obj is not old:
            self.service_allocators.on_update(old, obj)
        if kind.kind in _GENERATION_KINDS:
            spec_key = (kind.kind, key)
            spec = canonical_json(obj.get("spec"))
            if spec != self._specs.get(spec_key):
                obj["metadata"]["generation"] = obj["metadata"].get("generation", 0) + 1
                self._specs[spec_key] = spec
        self._index(kind.kind, key, obj)
        self.store.put(kind.kind, key, obj, "MODIFIED")
        self._record(user, "update", kind, key)
        return obj

    def update_status(self, obj: dict, user: str | None = None) -> dict:
        """Write an object's status (the ``/status`` subresource): no spec validation."""
        kind, key, old = self._existing(obj)
        if obj is not old:
            old["status"] = copy.deepcopy(obj.get("status", {}))
            obj = old
        self.store.put(kind.kind, key, obj, "MODIFIED")
        self._record(user, "update-status", kind, key)
        return obj

    def delete(self, kind: str, name: str, namespace: str | None = "default",
               grace_period_seconds: int | None = None, user: str | None = None,
               propagation_policy: str | None = None) -> dict:
        """Delete an object. Some objects are only marked for deletion and stay a while.

        A real API server only sets ``deletionTimestamp`` on a running pod and leaves it to the
        kubelet to stop the containers (within ``terminationGracePeriodSeconds``, 30 s by
        default) and then remove the pod for good with a zero grace period. A pod that never
        reached a node has nothing to stop and goes at once. An object with finalizers stays,
        marked, until the controllers that own the finalizers remove them: a namespace until
        the namespace controller has emptied it, an owner deleted with ``propagation_policy``
        ``Orphan`` or ``Foreground`` until the garbage collector has handled its dependents.
        """
        k = KINDS[kind]
        key = self._key(k, namespace, name)
        obj = self.store.get(kind, key)
        if obj is None:
            raise NotFound(k, name)
        meta = obj["metadata"]
        if kind == "Namespace" and name in IMMORTAL_NAMESPACES:
            raise Forbidden(k, name, "this namespace may not be deleted")
        if propagation_policy in PROPAGATION_FINALIZERS and "deletionTimestamp" not in meta:
            finalizer = PROPAGATION_FINALIZERS[propagation_policy]
            meta["finalizers"] = [*(meta.get("finalizers") or ()), finalizer]
        if kind == "Namespace":
            spec = obj.setdefault("spec", {})
            if "deletionTimestamp" not in meta:
                spec.setdefault("finalizers", ["kubernetes"])
                obj.setdefault("status", {})["phase"] = "Terminating"
        if meta.get("finalizers") or (kind == "Namespace" and obj["spec"].get("finalizers")):
            if "deletionTimestamp" not in meta:
                meta["deletionTimestamp"] = timestamp(self.clock.now)
                meta["deletionGracePeriodSeconds"] = 0
                self.store.put(kind, key, obj, "MODIFIED")
                self._record(user, "delete", k, key)
            return obj
        if kind == "Pod" and obj["spec"].get("nodeName") and grace_period_seconds != 0:
            grace = (grace_period_seconds if grace_period_seconds is not None
                     else obj["spec"].get("terminationGracePeriodSeconds", 30))
            if "deletionTimestamp" not in meta:
                meta["deletionTimestamp"] = timestamp(self.clock.now + grace)
                meta["deletionGracePeriodSeconds"] = grace
                self.store.put(kind, key, obj, "MODIFIED")
                self._record(user, "delete", k, key)
            return obj
        self._unindex(kind, key)
        self._specs.pop((kind, key), None)
        if kind == "Service":
            self.service_allocators.on_delete(obj)
        self.store.remove(kind, key)
        self._record(user, "delete", k, key)
        return obj

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _decode(obj: dict) -> None:
        """What happens to a request body before validation: strict decoding into the kind's
        struct (unknown fields and wrong types are refused), then the defaults (which begin
        with the round trip that canonicalises quantities)."""
        schema.strict_decode(obj)
        defaults.apply_defaults(obj)

    @staticmethod
    def _key(kind: Kind, namespace: str | None, name: str) -> ObjectKey:
        return (namespace or "default", name) if kind.namespaced else (None, name)

    @staticmethod
    def _kind_of(obj: dict) -> Kind:
        if not isinstance(obj, dict):
            raise BadRequest("the object to create must be a mapping")
        api_version, kind_name = obj.get("apiVersion", ""), obj.get("kind", "")
        kind = kind_for(api_version, kind_name)
        if kind is None:
            raise BadRequest(f'no matches for kind "{kind_name}" in version "{api_version}"')
        return kind

    def _existing(self, obj: dict) -> tuple[Kind, ObjectKey, dict]:
        kind = self._kind_of(obj)
        meta = obj.get("metadata", {})
        key = self._key(kind, meta.get("namespace"), meta.get("name", ""))
        old = self.store.get(kind.kind, key)
        if old is None:
            raise NotFound(kind, key[1])
        return kind, key, old

    def _require_namespace(self, namespace: str, kind: Kind, name: str) -> None:
        """NamespaceLifecycle: new content only in a namespace that exists and is not going."""
        if not self.store.count("Namespace"):
            return
        found = self.store.get("Namespace", (None, namespace))
        if found is None:
            raise NotFound("Namespace", namespace)
        if "deletionTimestamp" in found["metadata"]:
            raise Forbidden(kind, name, f"unable to create new content in namespace "
                                        f"{namespace} because it is being terminated")

    def _index(self, kind: str, key: ObjectKey, obj: dict) -> None:
        if kind != "Pod":
            return
        self._unindex(kind, key)
        node = obj["spec"].get("nodeName")
        if node:
            self._pods_by_node.setdefault(node, {})[key] = obj
            self._node_of_pod[key] = node

    def _unindex(self, kind: str, key: ObjectKey) -> None:
        node = self._node_of_pod.pop(key, None) if kind == "Pod" else None
        if node is not None:
            self._pods_by_node[node].pop(key, None)

    def _record(self, user: str | None, verb: str, kind: Kind, key: ObjectKey) -> None:
        self.audit.append(AuditRecord(self.clock.now, user or self.user, verb, kind.kind,
                                      key[0], key[1], self.store.revision))


def _sort_key(key: ObjectKey) -> tuple[str, str]:
    return (key[0] or "", key[1])


def _parse_field_selector(text: str) -> list[tuple[str, str, str]]:
    """``status.phase=Running,spec.nodeName!=worker-1`` -> [(path, op, value), ...]."""
    terms = []
    for term in filter(None, (t.strip() for t in text.split(","))):
        for op in ("!=", "==", "="):
            if op in term:
                path, value = term.split(op, 1)
                terms.append((path.strip(), "!=" if op == "!=" else "=", value.strip()))
                break
        else:
            raise BadRequest(f'invalid selector: "{text}"; can\'t understand "{term}"')
    return terms


def _field_matches(obj: dict, path: str, op: str, value: str) -> bool:
    current: object = obj
    for part in path.split("."):
        current = current.get(part) if isinstance(current, dict) else None
    actual = "" if current is None else str(current)
    return (actual == value) == (op == "=")
