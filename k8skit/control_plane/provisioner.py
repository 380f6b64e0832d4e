"""Dynamic provisioning: the default StorageClass ``standard`` and the provisioner behind it.

A PersistentVolumeClaim asks for storage ("1Gi, ReadWriteOnce"); something has to make a
PersistentVolume that satisfies it. An administrator can create PVs by hand (*static*
provisioning) or install a **provisioner** that creates one for every claim of its StorageClass
(*dynamic* provisioning, ``docs/concepts/storage/dynamic-provisioning.md``). Three pieces work
together, and this module holds the two that are not the PV controller
(:mod:`k8skit.control_plane.controllers.persistentvolume`):

1. **DefaultStorageClass admission** (``plugin/pkg/admission/storage/storageclass/setdefault``):
   when a claim is created without ``storageClassName``, the API server fills in the class whose
   annotation ``storageclass.kubernetes.io/is-default-class`` is ``"true"`` (the newest one if
   several are). A claim that sets ``storageClassName: ""`` asks for *no* class and is only ever
   bound to a PV without one. :func:`admit_default_storage_class` is that plugin.
2. The **PV controller** finds no existing PV for the claim, sees that the class names an
   external provisioner, annotates the claim with ``volume.kubernetes.io/storage-provisioner``
   and records ``ExternalProvisioning``.
3. The **external provisioner** (:class:`HostPathProvisioner`) watches claims annotated with its
   name. It records ``Provisioning``, creates the volume, then a PV named ``pvc-<claim uid>``
   already pointing at the claim (``claimRef``) and records ``ProvisioningSucceeded``; the PV
   controller completes the binding. When a claim is deleted, the PV controller marks its PV
   ``Released``; if the reclaim policy is ``Delete`` the provisioner deletes the volume and the
   PV. This follows ``sigs.k8s.io/sig-storage-lib-external-provisioner`` (``controller.go``),
   the library every external provisioner is built on.

Which provisioner: the simulated cluster is laid out like **minikube** (node address
``192.168.49.2``, API server port ``8443``), so its default class is minikube's: ``standard``
with provisioner ``k8s.io/minikube-hostpath`` (minikube's ``storage-provisioner`` addon,
``pkg/storage/storage_provisioner.go``), reclaim policy ``Delete``, binding mode
``Immediate``. Its PVs are ``hostPath`` volumes under ``/tmp/hostpath-provisioner/<namespace>/
<claim>`` with no node affinity.

What the simulator simplifies: minikube's provisioner creates directories on its one node, so
on a real multi-node cluster a pod moved to another node would find an empty directory, and a
node-local provisioner such as ``rancher.io/local-path`` pins the PV to one node with
``nodeAffinity``. Here the data lives in the cluster's :class:`~k8skit.node.volumes.DiskStore`,
which every node reaches, as a network disk (a cloud's block storage or NFS) would be. The
provisioner also runs inside the simulator rather than as the ``storage-provisioner`` pod
minikube shows in ``kube-system``.
"""

from __future__ import annotations

import random
import uuid
from typing import TYPE_CHECKING

from k8skit.api.errors import AlreadyExists
from k8skit.api.events import EventRecorder
from k8skit.api.server import APIServer
from k8skit.clock import Clock
from k8skit.control_plane.controllers.persistentvolume import (
    BETA_STORAGE_PROVISIONER_ANNOTATION,
    DEFAULT_CLASS_ANNOTATION,
    PROVISIONED_BY_ANNOTATION,
    SELECTED_NODE_ANNOTATION,
    STORAGE_PROVISIONER_ANNOTATION,
    claim_key,
    default_storage_class,
    storage_class_not_found,
)
from k8skit.control_plane.controllers.workqueue import WorkQueue

if TYPE_CHECKING:
    from k8skit.node.volumes import DiskStore

STANDARD_STORAGE_CLASS = "standard"
PROVISIONER_NAME = "k8s.io/minikube-hostpath"
# Where minikube's provisioner makes each claim's directory (storage_provisioner.go: pvDir).
HOST_PATH_ROOT = "/tmp/hostpath-provisioner"
# The node the provisioner runs on; it is part of the name events are recorded under.
PROVISIONER_HOST = "control-plane"
# How long creating a hostPath volume takes: a directory is made at once, the rest is the
# provisioner noticing the claim and the API round trips (about a second on minikube).
PROVISIONING_SECONDS = 1.0

# The annotation minikube's provisioner marks its volumes with (storage_provisioner.go).
IDENTITY_ANNOTATION = "hostPathProvisionerIdentity"


def standard_storage_class() -> dict:
    """minikube's default StorageClass, as its ``storageclass`` addon installs it."""
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "name": STANDARD_STORAGE_CLASS,
            "labels": {"addonmanager.kubernetes.io/mode": "EnsureExists"},
            "annotations": {DEFAULT_CLASS_ANNOTATION: "true"},
        },
        "provisioner": PROVISIONER_NAME,
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "Immediate",
    }


def admit_default_storage_class(api: APIServer, obj: dict) -> None:
    """The DefaultStorageClass admission plugin: give a new claim without ``storageClassName``
    the default class. A claim that names a class, or sets it to ``""``, is left alone."""
    if obj.get("kind") != "PersistentVolumeClaim":
        return
    spec = obj.get("spec")
    if not isinstance(spec, dict) or spec.get("storageClassName") is not None:
        return
    default = default_storage_class(api.list("StorageClass"))
    if default is not None:
        spec["storageClassName"] = default["metadata"]["name"]


def volume_name_for(claim: dict) -> str:
    """The PV name a provisioner gives a claim's volume: ``pvc-<claim uid>``."""
    return f"pvc-{claim['metadata']['uid']}"


class HostPathProvisioner:
    """minikube's ``k8s.io/minikube-hostpath`` provisioner: a PV for each claim of its class,
    and the volume deleted with the PV when the claim goes and the policy says ``Delete``."""

    def __init__(self, api: APIServer, clock: Clock, disks: DiskStore,
                 rng: random.Random) -> None:
        self.api = api
        self.clock = clock
        self.disks = disks
        self.identity = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self.recorder = EventRecorder(
            api, f"{PROVISIONER_NAME}_{PROVISIONER_HOST}_{self.identity}")
        self.claims = WorkQueue(clock, self._sync_claim)
        self.volumes = WorkQueue(clock, self._sync_volume)
        self._in_progress: set[str] = set()
        self._started = False

    def start(self) -> None:
        """List and watch claims and volumes."""
        if self._started:
            return
        self._started = True
        self.api.watch("PersistentVolumeClaim", self._claim_event)
        self.api.watch("PersistentVolume", self._volume_event)
        for claim in self.api.list("PersistentVolumeClaim"):
            self.claims.add(claim_key(claim))
        for volume in self.api.list("PersistentVolume"):
            self.volumes.add(volume["metadata"]["name"])

    # -- watches --------------------------------------------------------------------------------
    def _claim_event(self, event) -> None:
        if event.type != "DELETED":
            self.claims.add(claim_key(event.object))

    def _volume_event(self, event) -> None:
        if event.type != "DELETED":
            self.volumes.add(event.object["metadata"]["name"])

    # -- provisioning ---------------------------------------------------------------------------
    def _claim(self, key: str) -> dict | None:
        namespace, name = key.split("/", 1)
        return self.api.try_get("PersistentVolumeClaim", name, namespace)

    def should_provision(self, claim: dict) -> bool:
        """``shouldProvision``: the claim is unbound, the PV controller handed it to this
        provisioner, and (for ``WaitForFirstConsumer`` classes) a node has been chosen."""
        spec = claim.get("spec") or {}
        if spec.get("volumeName") or claim["metadata"].get("deletionTimestamp"):
            return False
        annotations = claim["metadata"].get("annotations") or {}
        provisioner = annotations.get(STORAGE_PROVISIONER_ANNOTATION,
                                      annotations.get(BETA_STORAGE_PROVISIONER_ANNOTATION))
        if provisioner != PROVISIONER_NAME:
            return False
        storage_class = self.api.try_get("StorageClass", spec.get("storageClassName") or "",
                                         None)
        if storage_class is not None and \
                storage_class.get("volumeBindingMode") == "WaitForFirstConsumer":
            return SELECTED_NODE_ANNOTATION in annotations
        return True

    def _sync_claim(self, key: str) -> None:
        claim = self._claim(key)
        if claim is None or key in self._in_progress or not self.should_provision(claim):
            return
        if self.api.try_get("PersistentVolume", volume_name_for(claim), None) is not None:
            return  # provisioned already; the PV controller is binding it
        self.recorder.event(claim, "Normal", "Provisioning",
                            f'External provisioner is provisioning volume for claim "{key}"')
        self._in_progress.add(key)
        self.clock.call_later(PROVISIONING_SECONDS, self._provision, key,
                              claim["metadata"]["uid"])

    def _provision(self, key: str, uid: str) -> None:
        self._in_progress.discard(key)
        claim = self._claim(key)
        if claim is None or claim["metadata"]["uid"] != uid or not self.should_provision(claim):
            return
        class_name = claim["spec"].get("storageClassName") or ""
        storage_class = self.api.try_get("StorageClass", class_name, None)
        if storage_class is None:
            self.recorder.event(claim, "Warning", "ProvisioningFailed",
                                storage_class_not_found(class_name))
            return
        volume = self.new_volume(claim, storage_class)
        try:
            self.api.create(volume, user=self.recorder.component)
        except AlreadyExists:
            return
        self.recorder.event(claim, "Normal", "ProvisioningSucceeded",
                            f"Successfully provisioned volume {volume['metadata']['name']}")

    def new_volume(self, claim: dict, storage_class: dict) -> dict:
        """The PV for ``claim``: what minikube's ``Provision`` returns, completed by the
        library (name, ``claimRef``, ``provisioned-by``, class)."""
        meta, spec = claim["metadata"], claim["spec"]
        request = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
        claim_ref = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                     "name": meta["name"], "namespace": meta["namespace"], "uid": meta["uid"]}
        if meta.get("resourceVersion"):
            claim_ref["resourceVersion"] = meta["resourceVersion"]
        return {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {
                "name": volume_name_for(claim),
                "annotations": {IDENTITY_ANNOTATION: self.identity,
                                PROVISIONED_BY_ANNOTATION: PROVISIONER_NAME},
            },
            "spec": {
                "accessModes": list(spec.get("accessModes") or []),
                "capacity": {"storage": request},
                "claimRef": claim_ref,
                "hostPath": {"path": f"{HOST_PATH_ROOT}/{meta['namespace']}/{meta['name']}",
                             "type": ""},
                "persistentVolumeReclaimPolicy": storage_class.get("reclaimPolicy") or "Delete",
                "storageClassName": storage_class["metadata"]["name"],
                "volumeMode": spec.get("volumeMode") or "Filesystem",
            },
        }

    # -- deleting -------------------------------------------------------------------------------
    @staticmethod
    def should_delete(volume: dict) -> bool:
        """``shouldDelete``: a Released volume of this provisioner whose policy is Delete."""
        annotations = volume["metadata"].get("annotations") or {}
        return (annotations.get(PROVISIONED_BY_ANNOTATION) == PROVISIONER_NAME
                and not volume["metadata"].get("deletionTimestamp")
                and (volume.get("status") or {}).get("phase") == "Released"
                and (volume.get("spec") or {}).get("persistentVolumeReclaimPolicy") == "Delete")

    def _sync_volume(self, name: str) -> None:
        volume = self.api.try_get("PersistentVolume", name, None)
        if volume is None or not self.should_delete(volume):
            return
        self.disks.delete(name)
        self.api.delete("PersistentVolume", name, None, user=self.recorder.component)
