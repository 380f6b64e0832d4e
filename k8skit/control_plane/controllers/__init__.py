"""The controllers: kube-controller-manager's reconciliation loops.

Each controller watches some kinds, compares what exists with what the objects ask for, and
writes the difference back through the API server:

================================  ===============================================================
controller                         keeps ...
================================  ===============================================================
``replicaset``                     ``spec.replicas`` pods of each ReplicaSet alive
``deployment``                     one ReplicaSet per template, rolling out the newest
``garbagecollector``               nothing whose owners are all gone
``namespace``                      deleted namespaces emptied, then removed
``serviceaccount``                 a ``default`` ServiceAccount in every namespace
``root-ca-cert-publisher``         a ``kube-root-ca.crt`` ConfigMap in every namespace
``nodelifecycle``                  silent nodes marked Unknown and tainted
``taint-eviction-controller``      pods off nodes with NoExecute taints they do not tolerate
``endpoint``, ``endpointslice``    each Service's ready and not-ready pod addresses
``endpointslice-mirroring``        EndpointSlices for hand-written Endpoints
``persistentvolume-binder``        each claim bound to a volume
``persistentvolume-binder``        each claim bound to a volume, released volumes reclaimed
``podgc``                          no pod bound to a node that no longer exists
================================  ===============================================================

:class:`ControllerManager` is the process that runs them (``cmd/kube-controller-manager``): one
set of shared informers, one loop per controller, all on the cluster's clock.
"""

from __future__ import annotations

import random

from k8skit.api.server import APIServer
from k8skit.clock import Clock
from k8skit.control_plane.controllers.deployment import DeploymentController
from k8skit.control_plane.controllers.endpoints import EndpointsController
from k8skit.control_plane.controllers.endpointslice import (
    EndpointSliceController,
    EndpointSliceMirroringController,
)
from k8skit.control_plane.controllers.garbage_collector import GarbageCollector
from k8skit.control_plane.controllers.informer import SharedInformerFactory
from k8skit.control_plane.controllers.namespace import NamespaceController
from k8skit.control_plane.controllers.node_lifecycle import NodeLifecycleController
from k8skit.control_plane.controllers.persistentvolume import PersistentVolumeController
from k8skit.control_plane.controllers.pod_gc import PodGCController
from k8skit.control_plane.controllers.replicaset import ReplicaSetController
from k8skit.control_plane.controllers.root_ca_cert_publisher import RootCACertPublisher
from k8skit.control_plane.controllers.serviceaccount import ServiceAccountsController
from k8skit.control_plane.controllers.taint_eviction import TaintEvictionController

__all__ = ["ControllerManager"]


class ControllerManager:
    """kube-controller-manager: builds every controller on shared informers and starts them."""

    def __init__(self, api: APIServer, clock: Clock, rng: random.Random) -> None:
        self.api = api
        self.clock = clock
        self.informers = SharedInformerFactory(api)
        self.replicaset = ReplicaSetController(api, clock, self.informers)
        self.deployment = DeploymentController(api, clock, self.informers)
        self.garbage_collector = GarbageCollector(api, clock, self.informers)
        self.namespace = NamespaceController(api, clock, self.informers)
        self.serviceaccount = ServiceAccountsController(api, clock, self.informers)
        self.root_ca_cert_publisher = RootCACertPublisher(api, clock, self.informers, rng)
        self.node_lifecycle = NodeLifecycleController(api, clock, self.informers)
        self.taint_eviction = TaintEvictionController(api, clock, self.informers)
        self.endpoints = EndpointsController(api, clock, self.informers)
        self.endpointslice = EndpointSliceController(api, clock, self.informers)
        self.endpointslice_mirroring = EndpointSliceMirroringController(api, clock,
                                                                         self.informers)
        self.persistentvolume = PersistentVolumeController(api, clock, self.informers)
        self.pod_gc = PodGCController(api, clock, self.informers)

    def start(self) -> None:
        """List and watch everything, then start the periodic node health check."""
        self.informers.start()
        self.node_lifecycle.start()
        self.persistentvolume.start()
