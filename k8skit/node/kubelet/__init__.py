"""The kubelet, laid out like ``pkg/kubelet``.

- :mod:`~k8skit.node.kubelet.kubelet`: the agent itself (start, stop, the node API);
- :mod:`~k8skit.node.kubelet.nodestatus`: the Node object, its Lease and status heartbeats;
- :mod:`~k8skit.node.kubelet.pod_workers`: one worker per pod, the sync loop;
- :mod:`~k8skit.node.kubelet.status`: pod phase, conditions and container states;
- :mod:`~k8skit.node.kubelet.images`: pull policy, serialized pulls, image back-off;
- :mod:`~k8skit.node.kubelet.prober`: startup, liveness and readiness probes;
- :mod:`~k8skit.node.kubelet.environment` and :mod:`~k8skit.node.kubelet.envvars`: a
  container's environment, including the Service variables;
- :mod:`~k8skit.node.kubelet.backoff`: the exponential back-off of restarts and pulls;
- :mod:`~k8skit.node.kubelet.events`: event reasons; :mod:`~k8skit.node.kubelet.version`: the
  versions a node reports.
"""

from k8skit.node.kubelet.kubelet import Kubelet

__all__ = ["Kubelet"]
