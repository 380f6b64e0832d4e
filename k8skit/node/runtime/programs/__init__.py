"""The programs of the catalogue's images (nginx, the tutorials' apps, agnhost, redis, stress,
pause and the control-plane components).

Importing this package registers them in ``k8skit.node.runtime.registry``.
"""

from k8skit.node.runtime.programs import agnhost, nginx, redis, stress, system, webapps

__all__ = ["agnhost", "nginx", "redis", "stress", "system", "webapps"]
