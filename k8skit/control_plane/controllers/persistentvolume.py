"""The PersistentVolume controller: binds claims to volumes and reclaims released volumes.

Source: ``pkg/controller/volume/persistentvolume/pv_controller.go`` (``syncClaim``,
``syncVolume``, ``bind``, ``reclaimVolume``, ``provisionClaim``), ``index.go`` and
``staging/src/k8s.io/component-helpers/storage/volume/pv_helpers.go`` (``FindMatchingVolume``),
and ``docs/concepts/storage/persistent-volumes.md``.

A claim (PVC) and a volume (PV) point at each other once bound: ``claim.spec.volumeName`` and
``volume.spec.claimRef``. The controller keeps both directions consistent and moves them through
their phases:

- **claim**: ``Pending`` until bound, then ``Bound``; ``Lost`` if its volume disappears;
- **volume**: ``Available`` (free), ``Bound``, ``Released`` (its claim was deleted; the data is
  still there) and ``Failed`` (reclaiming went wrong).

Binding an unbound claim (``syncUnboundClaim``): among the volumes, one already reserved for the
claim (``claimRef`` naming it, as a provisioner or an administrator writes it) wins; otherwise
the **smallest** ``Available`` volume whose capacity is at least the request, with the claim's
storage class (``""`` matches only volumes without one), volume mode and label ``selector``,
preferring volumes whose access modes are the fewest that include the requested ones. If none
fits and the claim has a class, the class's provisioner is asked to make one (the claim gets the
``volume.kubernetes.io/storage-provisioner`` annotation and an ``ExternalProvisioning`` event);
without a class the claim waits (``FailedBinding``). Claims of a ``WaitForFirstConsumer`` class
are left alone until a pod using them is scheduled (``WaitForFirstConsumer`` event); then
they are bound to a volume that pod's node can reach, or provisioned for that node.

Reclaiming (``reclaimVolume``): when its claim is deleted, a volume becomes ``Released``; with
``persistentVolumeReclaimPolicy: Retain`` it stays so (data kept, not reusable until an
administrator deletes it or clears its ``claimRef``); with ``Delete`` a dynamically provisioned
volume is deleted by its provisioner, and a hand-made one by its in-tree plugin (only ``hostPath``
volumes under ``/tmp`` can be; others fail with ``VolumeFailedDelete``). ``Recycle`` (deprecated)
needs a recycler pod the simulator does not run: such volumes go ``Failed``.

Like the real controller, this one also re-examines every claim and volume every 15 seconds
(``--pvclaimbinder-sync-period``): a claim left ``Pending`` binds to a fitting PV created later
within that time. With the RetroactiveDefaultStorageClass behaviour (GA in v1.28) it gives the
default StorageClass to unbound claims created with no ``storageClassName`` before a default
existed.

What the simulator leaves out: the ``kubernetes.io/pvc-protection`` and ``pv-protection``
finalizers (a claim in use by a pod is deleted at once instead of staying ``Terminating``),
volume expansion, and the ``volumeAttributesClassName`` field.
"""

from __future__ import annotations

import re

from k8skit.api.events import EventRecorder
from k8skit.api.labels import as_selector
from k8skit.api.meta import timestamp
from k8skit.api.quantity import Quantity, QuantityError, parse_quantity
from k8skit.api.server import APIServer
from k8skit.clock import Clock
from k8skit.control_plane.controllers.informer import Informer, SharedInformerFactory
from k8skit.control_plane.controllers.workqueue import WorkQueue

COMPONENT = "persistentvolume-controller"
# Who annotates a claim with its selected node upstream (the VolumeBinding plugin).
SCHEDULER = "system:kube-scheduler"
# kube-controller-manager --pvclaimbinder-sync-period.
RESYNC_PERIOD_SECONDS = 15.0

# Annotations (component-helpers/storage/volume/pv_helpers.go).
BIND_COMPLETED_ANNOTATION = "pv.kubernetes.io/bind-completed"
BOUND_BY_CONTROLLER_ANNOTATION = "pv.kubernetes.io/bound-by-controller"
PROVISIONED_BY_ANNOTATION = "pv.kubernetes.io/provisioned-by"
STORAGE_PROVISIONER_ANNOTATION = "volume.kubernetes.io/storage-provisioner"
BETA_STORAGE_PROVISIONER_ANNOTATION = "volume.beta.kubernetes.io/storage-provisioner"
SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node"
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
BETA_DEFAULT_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class"

# The access modes in the order kubectl prints them; a claim prefers volumes with fewer modes.
ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")

# Event messages, worded as upstream's.
NO_CLASS_MESSAGE = "no persistent volumes available for this claim and no storage class is set"
WAIT_FOR_CONSUMER_MESSAGE = "waiting for first consumer to be created before binding"
EXTERNAL_PROVISIONING_MESSAGE = (
    "Waiting for a volume to be created either by the external provisioner '{}' or manually by "
    "the system administrator. If volume creation is delayed, please verify that the "
    "provisioner is running and correctly registered.")
CLAIM_LOST_MESSAGE = "Bound claim has lost its PersistentVolume. Data on the volume is lost!"
CLAIM_LOST_REFERENCE_MESSAGE = ("Bound claim has lost reference to PersistentVolume. Data on "
                                "the volume is lost!")
CLAIM_MISBOUND_MESSAGE = "Two claims are bound to the same volume, this one is bound incorrectly"
NO_RECYCLER_MESSAGE = "No recycler plugin found for the volume!"
# The paths the in-tree hostPath deleter accepts (pkg/volume/hostpath: Delete, unanchored).
HOST_PATH_DELETABLE = re.compile(r"/tmp/.+")


# -- helpers shared with the provisioner and the scheduler's volume binding -------------------
def claim_key(claim: dict) -> str:
    """``namespace/name``: how the controller queues a claim and events name it."""
    return f"{claim['metadata'].get('namespace', 'default')}/{claim['metadata']['name']}"


def storage_class_not_found(name: str) -> str:
    """A lister's NotFound message for a StorageClass (singular resource name)."""
    return f'storageclass.storage.k8s.io "{name}" not found'


def is_default_class(storage_class: dict) -> bool:
    """Whether a StorageClass is marked as the default (``IsDefaultAnnotation``)."""
    annotations = storage_class["metadata"].get("annotations") or {}
    return "true" in (annotations.get(DEFAULT_CLASS_ANNOTATION),
                      annotations.get(BETA_DEFAULT_CLASS_ANNOTATION))


def default_storage_class(classes: list[dict]) -> dict | None:
    """The default class among ``classes``: the newest of those marked default
    (``GetDefaultClass``; since v1.26 several defaults may exist and the newest wins)."""
    defaults = [c for c in classes if is_default_class(c)]
    if not defaults:
        return None
    return max(defaults, key=lambda c: (c["metadata"].get("creationTimestamp") or "",
                                        c["metadata"]["name"]))


def _storage(resources: dict | None) -> Quantity:
    try:
        return parse_quantity(resources["storage"]) if resources and \
            resources.get("storage") is not None else Quantity(0)
    except QuantityError:
        return Quantity(0)


def is_volume_bound_to_claim(volume: dict, claim: dict) -> bool:
    """``IsVolumeBoundToClaim``: the volume's claimRef names the claim (and its uid, if set)."""
    ref = (volume.get("spec") or {}).get("claimRef")
    if not ref:
        return False
    meta = claim["metadata"]
    if ref.get("name") != meta["name"] or ref.get("namespace") != meta.get("namespace"):
        return False
    return not ref.get("uid") or ref["uid"] == meta.get("uid")


def _node_affinity_allows(volume: dict, node: dict | None) -> bool:
    """``CheckNodeAffinity``: a volume with required node affinity fits only matching nodes.
    Terms are ORed, expressions within a term ANDed (matchExpressions on node labels)."""
    required = (((volume.get("spec") or {}).get("nodeAffinity") or {}).get("required") or {})
    terms = required.get("nodeSelectorTerms") or []
    if node is None or not terms:
        return True
    labels = node["metadata"].get("labels") or {}
    for term in terms:
        expressions = term.get("matchExpressions") or []
        if expressions and as_selector({"matchExpressions": expressions}).matches(labels):
            return True
    return False


def find_matching_volume(claim: dict, volumes: list[dict], delay_binding: bool,
                         node: dict | None = None) -> dict | None:
    """``FindMatchingVolume`` over one access-mode group: the volume reserved for the claim,
    else the smallest Available one that fits (see the module docstring).

    ``delay_binding`` (PV controller, WaitForFirstConsumer class) returns only a reserved
    volume; ``node`` (the scheduler's path) also checks node affinity and access modes.
    """
    spec = claim.get("spec") or {}
    requested = _storage((spec.get("resources") or {}).get("requests"))
    requested_class = spec.get("storageClassName") or ""
    selector = as_selector(spec["selector"]) if spec.get("selector") else None
    claim_mode = spec.get("volumeMode") or "Filesystem"
    smallest, smallest_size = None, None
    for volume in volumes:
        volume_spec = volume.get("spec") or {}
        if volume_spec.get("claimRef") and not is_volume_bound_to_claim(volume, claim):
            continue
        size = _storage(volume_spec.get("capacity"))
        if size < requested or (volume_spec.get("volumeMode") or "Filesystem") != claim_mode:
            continue
        if volume["metadata"].get("deletionTimestamp"):
            continue
        affinity_ok = _node_affinity_allows(volume, node)
        if is_volume_bound_to_claim(volume, claim):
            return volume if affinity_ok else None
        if node is None and delay_binding:
            continue
        if (volume.get("status") or {}).get("phase") != "Available":
            continue
        if selector is not None and not selector.matches(volume["metadata"].get("labels") or {}):
            continue
        if (volume_spec.get("storageClassName") or "") != requested_class or not affinity_ok:
            continue
        if node is not None and not set(spec.get("accessModes") or []) <= set(
                volume_spec.get("accessModes") or []):
            continue
        if smallest is None or smallest_size > size:
            smallest, smallest_size = volume, size
    return smallest


def find_best_match_for_claim(claim: dict, volumes: list[dict],
                              delay_binding: bool) -> dict | None:
    """``persistentVolumeOrderedIndex.findByClaim``: try the groups of volumes whose access
    modes include every requested mode, fewest modes first, and take the first match."""
    requested = set((claim.get("spec") or {}).get("accessModes") or [])
    groups: dict[tuple[str, ...], list[dict]] = {}
    for volume in volumes:
        modes = tuple(m for m in ACCESS_MODES
                      if m in ((volume.get("spec") or {}).get("accessModes") or []))
        if requested <= set(modes):
            groups.setdefault(modes, []).append(volume)
    for modes in sorted(groups, key=lambda m: (len(m), [ACCESS_MODES.index(x) for x in m])):
        found = find_matching_volume(claim, sorted(groups[modes], key=_by_name), delay_binding)
        if found is not None:
            return found
    return None


def _by_name(obj: dict) -> str:
    return obj["metadata"]["name"]


class PersistentVolumeController:
    """Binds PVCs to PVs, hands claims to provisioners and reclaims released volumes."""

    def __init__(self, api: APIServer, clock: Clock, informers: SharedInformerFactory) -> None:
        self.api = api
        self.clock = clock
        self.recorder = EventRecorder(api, COMPONENT)
        self.volumes: Informer = informers.informer("PersistentVolume")
        self.claims: Informer = informers.informer("PersistentVolumeClaim")
        self.classes: Informer = informers.informer("StorageClass")
        self.pods: Informer = informers.informer("Pod")
        self.claim_queue = WorkQueue(clock, self.sync_claim)
        self.volume_queue = WorkQueue(clock, self.sync_volume)
        self._resync_timer = None
        self.volumes.add_handler(self._volume_changed)
        self.claims.add_handler(self._claim_changed)
        self.classes.add_handler(self._class_changed)
        self.pods.add_handler(self._pod_changed)

    def start(self) -> None:
        """Start the periodic re-examination of every claim and volume."""
        if self._resync_timer is None:
            self._resync_timer = self.clock.call_later(RESYNC_PERIOD_SECONDS, self._resync)

    def _resync(self) -> None:
        for claim in self.claims.list():
            self.claim_queue.add(claim_key(claim))
        for volume in self.volumes.list():
            self.volume_queue.add(volume["metadata"]["name"])
        self._resync_timer = self.clock.call_later(RESYNC_PERIOD_SECONDS, self._resync)

    # -- informer handlers ----------------------------------------------------------------------
    def _volume_changed(self, event_type: str, volume: dict) -> None:
        if event_type != "DELETED":
            self.volume_queue.add(volume["metadata"]["name"])
            return
        ref = (volume.get("spec") or {}).get("claimRef")
        if ref:  # a bound claim has just lost its volume
            self.claim_queue.add(f"{ref.get('namespace', 'default')}/{ref.get('name', '')}")

    def _claim_changed(self, event_type: str, claim: dict) -> None:
        if event_type != "DELETED":
            self.claim_queue.add(claim_key(claim))
            return
        volume_name = (claim.get("spec") or {}).get("volumeName")
        if volume_name:  # its volume is Released now
            self.volume_queue.add(volume_name)

    def _class_changed(self, event_type: str, storage_class: dict) -> None:
        if event_type != "DELETED" and is_default_class(storage_class):
            for claim in self.claims.list():
                if (claim.get("spec") or {}).get("storageClassName") is None:
                    self.claim_queue.add(claim_key(claim))

    def _pod_changed(self, event_type: str, pod: dict) -> None:
        """A pod using a claim changed: a WaitForFirstConsumer claim may now be bindable."""
        namespace = pod["metadata"].get("namespace", "default")
        for volume in (pod.get("spec") or {}).get("volumes") or []:
            claim_name = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            if claim_name:
                self.claim_queue.add(f"{namespace}/{claim_name}")

    # -- claims ---------------------------------------------------------------------------------
    def sync_claim(self, key: str) -> None:
        """``syncClaim``: an unbound claim is bound or provisioned; a bound one kept bound."""
        namespace, name = key.split("/", 1)
        claim = self.claims.get(name, namespace)
        if claim is None:
            return
        annotations = claim["metadata"].get("annotations") or {}
        if BIND_COMPLETED_ANNOTATION in annotations:
            self._sync_bound_claim(claim)
        else:
            self._sync_unbound_claim(claim)

    def _sync_unbound_claim(self, claim: dict) -> None:
        if self._assign_default_storage_class(claim):
            return  # the update brings the claim back through the queue
        spec = claim.get("spec") or {}
        if spec.get("volumeName"):
            self._sync_claim_asking_for_volume(claim, spec["volumeName"])
            return
        delay_binding = self.is_delay_binding_mode(claim)
        volume = find_best_match_for_claim(claim, self.volumes.list(), delay_binding)
        if volume is not None:
            self.bind(volume, claim)
            return
        annotations = claim["metadata"].get("annotations") or {}
        if delay_binding and SELECTED_NODE_ANNOTATION not in annotations:
            if self._bind_for_first_consumer(claim):
                return
            self._emit_waiting_for_consumer(claim)
        elif spec.get("storageClassName"):
            self.provision_claim(claim)
            return
        else:
            self.recorder.event(claim, "Normal", "FailedBinding", NO_CLASS_MESSAGE)
        self._set_claim_phase(claim, "Pending")

    def _sync_claim_asking_for_volume(self, claim: dict, volume_name: str) -> None:
        """The user named a volume in ``spec.volumeName`` (static pre-binding)."""
        volume = self.volumes.get(volume_name, None)
        if volume is None:
            self._set_claim_phase(claim, "Pending")
            return
        ref = (volume.get("spec") or {}).get("claimRef")
        if not ref or is_volume_bound_to_claim(volume, claim):
            self.bind(volume, claim)
        else:
            self._set_claim_phase(claim, "Pending")  # reserved for someone else; retried

    def _sync_bound_claim(self, claim: dict) -> None:
        volume_name = (claim.get("spec") or {}).get("volumeName")
        if not volume_name:
            self._set_claim_phase(claim, "Lost", "Warning", "ClaimLost",
                                  CLAIM_LOST_REFERENCE_MESSAGE)
            return
        volume = self.volumes.get(volume_name, None)
        if volume is None:
            self._set_claim_phase(claim, "Lost", "Warning", "ClaimLost", CLAIM_LOST_MESSAGE)
            return
        ref = (volume.get("spec") or {}).get("claimRef")
        if not ref or ref.get("uid") == claim["metadata"].get("uid"):
            self.bind(volume, claim)  # completes or repairs the binding; no-op when done
        else:
            self._set_claim_phase(claim, "Lost", "Warning", "ClaimMisbound",
                                  CLAIM_MISBOUND_MESSAGE)

    def _assign_default_storage_class(self, claim: dict) -> bool:
        """RetroactiveDefaultStorageClass: a claim created with no class gets the default."""
        spec = claim.get("spec") or {}
        if spec.get("storageClassName") is not None or spec.get("volumeName"):
            return False
        default = default_storage_class(self.classes.list())
        if default is None:
            return False
        spec["storageClassName"] = default["metadata"]["name"]
        self.api.update(claim, user=COMPONENT)
        return True

    def is_delay_binding_mode(self, claim: dict) -> bool:
        """``IsDelayBindingMode``: the claim's class binds only once a pod uses the claim."""
        class_name = (claim.get("spec") or {}).get("storageClassName") or ""
        storage_class = self.classes.get(class_name, None) if class_name else None
        return storage_class is not None and \
            storage_class.get("volumeBindingMode") == "WaitForFirstConsumer"

    def _bind_for_first_consumer(self, claim: dict) -> bool:
        """What the scheduler's VolumeBinding plugin does for a WaitForFirstConsumer claim once
        a pod using it has a node (``pkg/scheduler/framework/plugins/volumebinding``,
        ``scheduler_binder.go``): reserve a fitting volume the node can reach, or ask for one to
        be provisioned there by annotating the claim with ``volume.kubernetes.io/selected-node``.

        The simulated scheduler has no volume plugin, so this runs here, just after the pod is
        bound; upstream it runs just before, and the pod waits for its volumes in PreBind. The
        kubelet retries the mount meanwhile, so the pod starts a little later than it would.
        Returns False when no pod using the claim has a node yet.
        """
        node = self._consumer_node(claim)
        if node is None:
            return False
        volumes = sorted(self.volumes.list(), key=_by_name)
        volume = find_matching_volume(claim, volumes, delay_binding=True, node=node)
        if volume is not None:
            self.bind(volume, claim)
            return True
        annotations = claim["metadata"].setdefault("annotations", {})
        annotations[SELECTED_NODE_ANNOTATION] = node["metadata"]["name"]
        self.api.update(claim, user=SCHEDULER)
        return True

    def _consumer_node(self, claim: dict) -> dict | None:
        """The node of the first scheduled, live pod that uses the claim."""
        for pod in sorted(self._pods_using(claim), key=_by_name):
            node_name = pod["spec"].get("nodeName")
            if node_name and not pod["metadata"].get("deletionTimestamp"):
                node = self.api.try_get("Node", node_name, None)
                if node is not None:
                    return node
        return None

    def _pods_using(self, claim: dict) -> list[dict]:
        name = claim["metadata"]["name"]
        return [pod for pod in self.pods.list(claim["metadata"].get("namespace", "default"))
                if any((v.get("persistentVolumeClaim") or {}).get("claimName") == name
                       for v in (pod.get("spec") or {}).get("volumes") or [])]

    def _emit_waiting_for_consumer(self, claim: dict) -> None:
        """``emitEventForUnboundDelayBindingClaim``: which pods, if any, it waits for."""
        waiting = sorted(pod["metadata"]["name"] for pod in self._pods_using(claim)
                         if not pod["spec"].get("nodeName"))
        if not waiting:
            self.recorder.event(claim, "Normal", "WaitForFirstConsumer",
                                WAIT_FOR_CONSUMER_MESSAGE)
        elif len(waiting) == 1:
            self.recorder.event(claim, "Normal", "WaitForPodScheduled",
                                f"waiting for pod {waiting[0]} to be scheduled")
        else:
            self.recorder.event(claim, "Normal", "WaitForPodScheduled",
                                f"waiting for pods {','.join(waiting)} to be scheduled")

    def provision_claim(self, claim: dict) -> None:
        """``provisionClaimOperation``: hand the claim to its class's provisioner.

        The simulator has no in-tree volume plugins (``kubernetes.io/...`` provisioners, such as
        ``kubernetes.io/no-provisioner`` for local volumes, cannot provision); every other
        provisioner is external and watches for the annotation set here.
        """
        class_name = claim["spec"]["storageClassName"]
        storage_class = self.classes.get(class_name, None)
        if storage_class is None:
            self.recorder.event(claim, "Warning", "ProvisioningFailed",
                                storage_class_not_found(class_name))
            return
        provisioner = storage_class.get("provisioner") or ""
        if provisioner.startswith("kubernetes.io/"):
            self.recorder.event(claim, "Warning", "ProvisioningFailed",
                                f"no volume plugin matched name: {provisioner}")
            return
        annotations = claim["metadata"].setdefault("annotations", {})
        if annotations.get(STORAGE_PROVISIONER_ANNOTATION) != provisioner or \
                annotations.get(BETA_STORAGE_PROVISIONER_ANNOTATION) != provisioner:
            annotations[BETA_STORAGE_PROVISIONER_ANNOTATION] = provisioner
            annotations[STORAGE_PROVISIONER_ANNOTATION] = provisioner
            self.api.update(claim, user=COMPONENT)
        self.recorder.event(claim, "Normal", "ExternalProvisioning",
                            EXTERNAL_PROVISIONING_MESSAGE.format(provisioner))

    # -- binding --------------------------------------------------------------------------------
    def bind(self, volume: dict, claim: dict) -> None:
        """``bind``: claimRef on the volume, volume Bound, volumeName on the claim, claim Bound
        with the volume's capacity and access modes. Each step is skipped when already done."""
        meta = claim["metadata"]
        volume_spec = volume.setdefault("spec", {})
        ref = volume_spec.get("claimRef") or {}
        if (ref.get("name"), ref.get("namespace"), ref.get("uid")) != \
                (meta["name"], meta.get("namespace"), meta.get("uid")):
            if not is_volume_bound_to_claim(volume, claim):
                volume["metadata"].setdefault("annotations", {})[
                    BOUND_BY_CONTROLLER_ANNOTATION] = "yes"
            volume_spec["claimRef"] = {
                "apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": meta["name"],
                "namespace": meta.get("namespace", "default"), "uid": meta.get("uid", ""),
                "resourceVersion": meta.get("resourceVersion", ""),
            }
            self.api.update(volume, user=COMPONENT)
        self._set_volume_phase(volume, "Bound")
        claim_spec = claim.setdefault("spec", {})
        annotations = meta.setdefault("annotations", {})
        changed = False
        if claim_spec.get("volumeName") != volume["metadata"]["name"]:
            claim_spec["volumeName"] = volume["metadata"]["name"]
            annotations[BOUND_BY_CONTROLLER_ANNOTATION] = "yes"
            changed = True
        if BIND_COMPLETED_ANNOTATION not in annotations:
            annotations[BIND_COMPLETED_ANNOTATION] = "yes"
            changed = True
        if changed:
            self.api.update(claim, user=COMPONENT)
        status = claim.setdefault("status", {})
        wanted = {"phase": "Bound", "accessModes": list(volume_spec.get("accessModes") or []),
                  "capacity": dict(volume_spec.get("capacity") or {})}
        if any(status.get(field) != value for field, value in wanted.items()):
            status.update(wanted)
            self.api.update_status(claim, user=COMPONENT)

    def _set_claim_phase(self, claim: dict, phase: str, event_type: str = "",
                         reason: str = "", message: str = "") -> None:
        status = claim.setdefault("status", {})
        if status.get("phase") == phase:
            return
        status["phase"] = phase
        if phase != "Bound":
            status.pop("capacity", None)
            status.pop("accessModes", None)
        self.api.update_status(claim, user=COMPONENT)
        if reason:
            self.recorder.event(claim, event_type, reason, message)

    def _set_volume_phase(self, volume: dict, phase: str, message: str = "") -> bool:
        """Set a volume's phase (and ``lastPhaseTransitionTime``, GA in v1.31); False if it
        already was."""
        status = volume.setdefault("status", {})
        if status.get("phase") == phase and status.get("message", "") == message:
            return False
        if status.get("phase") != phase:
            status["lastPhaseTransitionTime"] = timestamp(self.clock.now)
        status["phase"] = phase
        if message:
            status["message"] = message
        else:
            status.pop("message", None)
        self.api.update_status(volume, user=COMPONENT)
        return True

    # -- volumes --------------------------------------------------------------------------------
    def sync_volume(self, name: str) -> None:
        """``syncVolume``: a volume's phase follows its claim; a claimless volume is reclaimed."""
        volume = self.volumes.get(name, None)
        if volume is None:
            return
        ref = (volume.get("spec") or {}).get("claimRef")
        if not ref or not ref.get("uid"):
            # Free, or reserved by an administrator for a claim not bound yet.
            self._set_volume_phase(volume, "Available")
            return
        claim = self.claims.get(ref.get("name", ""), ref.get("namespace", "default"))
        if claim is not None and claim["metadata"].get("uid") != ref["uid"]:
            claim = None  # a new claim with the old one's name
        if claim is None:
            phase = (volume.get("status") or {}).get("phase")
            if phase not in ("Released", "Failed"):
                self._set_volume_phase(volume, "Released")
            self.reclaim_volume(volume)
            return
        bound_name = (claim.get("spec") or {}).get("volumeName")
        if not bound_name:
            self.claim_queue.add(claim_key(claim))  # the claim's sync finishes the binding
        elif bound_name == name:
            self._set_volume_phase(volume, "Bound")
        elif (volume["metadata"].get("annotations") or {}).get(PROVISIONED_BY_ANNOTATION) and \
                volume["spec"].get("persistentVolumeReclaimPolicy") == "Delete":
            # Provisioned for a claim that got bound to another volume: not needed.
            if (volume.get("status") or {}).get("phase") not in ("Released", "Failed"):
                self._set_volume_phase(volume, "Released")
            self.reclaim_volume(volume)
        else:
            self.unbind_volume(volume)

    def unbind_volume(self, volume: dict) -> None:
        """``unbindVolume``: a binding made by the controller is undone; an administrator's
        reservation keeps its claim name and loses only the uid."""
        annotations = volume["metadata"].get("annotations") or {}
        if BOUND_BY_CONTROLLER_ANNOTATION in annotations:
            volume["spec"].pop("claimRef", None)
            annotations.pop(BOUND_BY_CONTROLLER_ANNOTATION)
        else:
            volume["spec"]["claimRef"].pop("uid", None)
        self.api.update(volume, user=COMPONENT)
        self._set_volume_phase(volume, "Available")

    def reclaim_volume(self, volume: dict) -> None:
        """``reclaimVolume``: what the volume's reclaim policy says to do with a Released one."""
        if (volume.get("status") or {}).get("phase") != "Released":
            return
        policy = (volume.get("spec") or {}).get("persistentVolumeReclaimPolicy", "Retain")
        if policy == "Recycle":
            if self._set_volume_phase(volume, "Failed", NO_RECYCLER_MESSAGE):
                self.recorder.event(volume, "Warning", "VolumeFailedRecycle",
                                    NO_RECYCLER_MESSAGE)
        elif policy == "Delete":
            self._delete_volume(volume)

    def _delete_volume(self, volume: dict) -> None:
        """``deleteVolumeOperation`` for volumes no external provisioner deletes."""
        name = volume["metadata"]["name"]
        provisioner = (volume["metadata"].get("annotations") or {}).get(
            PROVISIONED_BY_ANNOTATION, "")
        if provisioner and not provisioner.startswith("kubernetes.io/"):
            return  # its external provisioner deletes it
        host_path = (volume.get("spec") or {}).get("hostPath")
        if host_path is None:
            error = (f'error getting deleter volume plugin for volume "{name}": no deletable '
                     "volume plugin matched")
        elif HOST_PATH_DELETABLE.search(path := host_path.get("path") or ""):
            self.api.delete("PersistentVolume", name, None, user=COMPONENT)
            return
        else:
            error = f"host_path deleter only supports /tmp/.+ but received provided {path}"
        if self._set_volume_phase(volume, "Failed", error):
            self.recorder.event(volume, "Warning", "VolumeFailedDelete", error)
