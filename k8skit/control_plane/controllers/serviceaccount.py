"""The service-account controller: every namespace has a ``default`` ServiceAccount.

Source: ``pkg/controller/serviceaccount/serviceaccounts_controller.go``. A pod that names no
``serviceAccountName`` runs as ``default``, so the controller makes sure each active namespace has
one, creating it when a namespace appears and again if someone deletes it. Since v1.24 no token
Secret is created with it: pods get short-lived projected tokens instead.
"""

from __future__ import annotations

import contextlib

from k8skit.api.errors import AlreadyExists, NotFound
from k8skit.api.server import APIServer
from k8skit.clock import Clock
from k8skit.control_plane.controllers.informer import SharedInformerFactory
from k8skit.control_plane.controllers.workqueue import WorkQueue

COMPONENT = "serviceaccount-controller"
DEFAULT_SERVICE_ACCOUNT = "default"


class ServiceAccountsController:
    """Ensures the ``default`` ServiceAccount of every active namespace."""

    def __init__(self, api: APIServer, clock: Clock, informers: SharedInformerFactory) -> None:
        self.api = api
        self.queue = WorkQueue(clock, self.sync)
        informers.informer("Namespace").add_handler(self._namespace_changed)
        informers.informer("ServiceAccount").add_handler(self._service_account_changed)

    def _namespace_changed(self, event_type: str, namespace: dict) -> None:
        if event_type != "DELETED":
            self.queue.add(namespace["metadata"]["name"])

    def _service_account_changed(self, event_type: str, account: dict) -> None:
        if event_type == "DELETED" and account["metadata"]["name"] == DEFAULT_SERVICE_ACCOUNT:
            self.queue.add(account["metadata"].get("namespace", "default"))

    def sync(self, namespace: str) -> None:
        ns = self.api.try_get("Namespace", namespace, None)
        if ns is None or ns["metadata"].get("deletionTimestamp") \
                or ns.get("status", {}).get("phase") == "Terminating":
            return
        if self.api.try_get("ServiceAccount", DEFAULT_SERVICE_ACCOUNT, namespace) is not None:
            return
        with contextlib.suppress(AlreadyExists, NotFound):
            self.api.create({"apiVersion": "v1", "kind": "ServiceAccount",
                             "metadata": {"name": DEFAULT_SERVICE_ACCOUNT,
                                          "namespace": namespace}}, user=COMPONENT)
