"""The command-line tools of the simulated images (busybox applets and their GNU twins).

Importing this package registers every tool in ``k8skit.node.runtime.registry``.
"""

from k8skit.node.runtime.applets import basics, files, net, system

__all__ = ["basics", "files", "net", "system"]
