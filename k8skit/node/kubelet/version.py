"""The versions the simulated nodes report, kept in one place.

Every node says it runs kubelet |KUBELET_VERSION| on containerd, on Ubuntu, like a cluster made
with kubeadm. ``kubectl get nodes`` shows the version in its VERSION column and
``kubectl describe node`` the rest (``status.nodeInfo``). The simulator follows the behaviour and
wording of this release; where Kubernetes changed between releases the docstrings say which one
is reproduced.
"""

KUBELET_VERSION = "v1.33.4"
CONTAINER_RUNTIME_VERSION = "containerd://1.7.27"
OS_IMAGE = "Ubuntu 24.04.2 LTS"
KERNEL_VERSION = "6.8.0-60-generic"
OPERATING_SYSTEM = "linux"
ARCHITECTURE = "amd64"
