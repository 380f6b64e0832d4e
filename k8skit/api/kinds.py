"""The kinds the simulated API server serves, and how kubectl names them.

A real API server publishes its resources through discovery (``kubectl api-resources``): each
kind has a group/version, a plural resource name, a singular, short names and a scope
(namespaced or cluster-wide). kubectl resolves whatever the user typed (``po``, ``pods``,
``pod``, ``deployments.apps``, ``Deployment``) against that table. This module is that table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    kind: str
    api_version: str
    plural: str
    singular: str
    short_names: tuple[str, ...] = ()
    namespaced: bool = True
    # The warning the API server sends with every request for a deprecated kind, which kubectl
    # prints as "Warning: ..." (KEP-1693 warning headers).
    deprecation: str | None = None

    @property
    def group(self) -> str:
        """The API group: "" for the core group (``v1``), else the part before the slash."""
        return self.api_version.split("/")[0] if "/" in self.api_version else ""

    @property
    def resource(self) -> str:
        """What kubectl prints before a slash: ``pod``, ``deployment.apps``, ``service``."""
        return f"{self.singular}.{self.group}" if self.group else self.singular

    @property
    def plural_resource(self) -> str:
        """The name in error messages: ``pods``, ``deployments.apps``."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


# Short names and scopes as `kubectl api-resources` lists them on a v1.3x cluster.
_ALL = [
    Kind("Namespace", "v1", "namespaces", "namespace", ("ns",), namespaced=False),
    Kind("Node", "v1", "nodes", "node", ("no",), namespaced=False),
    Kind("Pod", "v1", "pods", "pod", ("po",)),
    Kind("Service", "v1", "services", "service", ("svc",)),
    Kind("Endpoints", "v1", "endpoints", "endpoints", ("ep",),
         deprecation="v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 "
                     "EndpointSlice"),
    Kind("ConfigMap", "v1", "configmaps", "configmap", ("cm",)),
    Kind("Secret", "v1", "secrets", "secret"),
    Kind("ServiceAccount", "v1", "serviceaccounts", "serviceaccount", ("sa",)),
    Kind("PersistentVolume", "v1", "persistentvolumes", "persistentvolume", ("pv",),
         namespaced=False),
    Kind("PersistentVolumeClaim", "v1", "persistentvolumeclaims", "persistentvolumeclaim",
         ("pvc",)),
    Kind("Event", "v1", "events", "event", ("ev",)),
    Kind("Deployment", "apps/v1", "deployments", "deployment", ("deploy",)),
    Kind("ReplicaSet", "apps/v1", "replicasets", "replicaset", ("rs",)),
    Kind("EndpointSlice", "discovery.k8s.io/v1", "endpointslices", "endpointslice"),
    Kind("StorageClass", "storage.k8s.io/v1", "storageclasses", "storageclass", ("sc",),
         namespaced=False),
    Kind("Lease", "coordination.k8s.io/v1", "leases", "lease"),
]

KINDS: dict[str, Kind] = {k.kind: k for k in _ALL}


def _names_of(kind: Kind) -> set[str]:
    names = {kind.kind.lower(), kind.plural, kind.singular, *kind.short_names}
    qualified = {f"{n}.{kind.group}" for n in (kind.plural, kind.singular)} if kind.group else set()
    return names | qualified


_BY_NAME: dict[str, Kind] = {name: kind for kind in _ALL for name in _names_of(kind)}


def resolve_resource(name: str) -> Kind | None:
    """The kind a user means by ``name`` (``po``, ``pods``, ``Pod``, ``deployments.apps``)."""
    return _BY_NAME.get(name.lower())


def kind_for(api_version: str, kind: str) -> Kind | None:
    """The registered kind for a manifest's apiVersion and kind, or None if it is not served."""
    found = KINDS.get(kind)
    return found if found and found.api_version == api_version else None
