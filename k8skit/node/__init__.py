"""What runs on each machine: the kubelet, the container runtime, the pod network, kube-proxy.

``k8skit.node.config`` describes a machine, ``k8skit.node.kubelet`` is the node agent,
``k8skit.node.runtime`` the simulated containerd and ``k8skit.node.network`` the pod network
that joins all nodes.
"""
