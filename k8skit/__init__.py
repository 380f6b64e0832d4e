"""k8skit: a faithful simulated Kubernetes cluster for learning, plus the course's pictures and widgets.

The simulator is laid out like Kubernetes itself:

- ``k8skit.api``: objects, quantities, label selectors, validation and the object store
  (the stand-in for kube-apiserver and etcd);
- ``k8skit.control_plane``: the scheduler and the controllers;
- ``k8skit.node``: the kubelet, the container runtime and kube-proxy;
- ``k8skit.kubectl``: the command line and its printers.
"""

__version__ = "0.1.0"
