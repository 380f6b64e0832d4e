"""k8skit: a faithful simulated Kubernetes cluster for learning, with pictures and widgets.

The simulator is laid out like Kubernetes itself:

- ``k8skit.api``: objects, quantities, label selectors, validation and the object store
  (the stand-in for kube-apiserver and etcd);
- ``k8skit.control_plane``: the scheduler and the controllers;
- ``k8skit.node``: the kubelet, the container runtime and kube-proxy;
- ``k8skit.kubectl``: the command line and its printers.

``from k8skit import Cluster`` gives the simulated cluster; ``%load_ext k8skit`` in a notebook
adds the ``%kubectl`` and ``%%kubectl`` magics.
"""

__version__ = "0.1.0"

__all__ = ["Cluster", "__version__", "load_ipython_extension"]


def __getattr__(name: str):
    # The simulator is imported on first use, so chapters that do not need it (and tools that
    # only read the version) stay quick to import.
    if name == "Cluster":
        from k8skit.cluster import Cluster

        return Cluster
    raise AttributeError(f"module 'k8skit' has no attribute {name!r}")


def load_ipython_extension(ipython) -> None:
    """``%load_ext k8skit``: register the ``%kubectl`` line and cell magics."""
    from k8skit.kubectl.magics import load_ipython_extension as load

    load(ipython)
