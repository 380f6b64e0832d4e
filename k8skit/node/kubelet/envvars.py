"""The Service environment variables every container gets.

When a container starts, the kubelet adds variables for each Service of the pod's namespace that
exists *at that moment* (plus ``kubernetes`` from ``default``), in the format Docker links used::

    WEB_SERVICE_HOST=10.96.0.12          WEB_PORT=tcp://10.96.0.12:80
    WEB_SERVICE_PORT=80                  WEB_PORT_80_TCP=tcp://10.96.0.12:80
    WEB_SERVICE_PORT_HTTP=80             WEB_PORT_80_TCP_PROTO=tcp
                                         WEB_PORT_80_TCP_PORT=80
                                         WEB_PORT_80_TCP_ADDR=10.96.0.12

A Service created after the container started is not in its environment: that is why the docs
recommend DNS for discovery. Headless Services (``clusterIP: None``) and ExternalName Services
have no cluster IP and give no variables. ``enableServiceLinks: false`` in the pod spec turns
this off except for the ``kubernetes`` Service.

Sources: ``pkg/kubelet/envvars/envvars.go`` (``FromServices``) and ``getServiceEnvVarMap`` in
``pkg/kubelet/kubelet_pods.go``; ``docs/concepts/services-networking/service.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from k8skit.api.server import APIServer


# Services of the default namespace every pod sees, whatever enableServiceLinks says.
MASTER_SERVICES = ("kubernetes",)


def service_environment(api: APIServer, namespace: str, enable_service_links: bool) -> dict:
    """The Service variables for a container starting now in ``namespace``."""
    chosen: dict[str, dict] = {}
    for service in api.list("Service", namespace="default"):
        if service["metadata"]["name"] in MASTER_SERVICES and _has_cluster_ip(service):
            chosen[service["metadata"]["name"]] = service
    if enable_service_links:
        for service in api.list("Service", namespace=namespace):
            if _has_cluster_ip(service):
                chosen[service["metadata"]["name"]] = service
    env: dict[str, str] = {}
    for name in sorted(chosen):
        env.update(from_service(chosen[name]))
    return env


def from_service(service: dict) -> dict:
    """The variables of one Service, in the order upstream emits them."""
    spec = service["spec"]
    ports = spec.get("ports") or []
    if not ports:
        return {}
    prefix = env_name(service["metadata"]["name"])
    cluster_ip = spec["clusterIP"]
    env = {
        f"{prefix}_SERVICE_HOST": cluster_ip,
        f"{prefix}_SERVICE_PORT": str(ports[0]["port"]),
    }
    for port in ports:
        if port.get("name"):
            env[f"{prefix}_SERVICE_PORT_{env_name(port['name'])}"] = str(port["port"])
    for index, port in enumerate(ports):
        protocol = port.get("protocol") or "TCP"
        address = f"{protocol.lower()}://{cluster_ip}:{port['port']}"
        if index == 0:
            # Docker special-cases the first port.
            env[f"{prefix}_PORT"] = address
        port_prefix = f"{prefix}_PORT_{port['port']}_{protocol.upper()}"
        env[port_prefix] = address
        env[f"{port_prefix}_PROTO"] = protocol.lower()
        env[f"{port_prefix}_PORT"] = str(port["port"])
        env[f"{port_prefix}_ADDR"] = cluster_ip
    return env


def env_name(name: str) -> str:
    """``my-svc`` -> ``MY_SVC`` (makeEnvVariableName)."""
    return name.replace("-", "_").upper()


def _has_cluster_ip(service: dict) -> bool:
    """IsServiceIPSet: a cluster IP that is neither empty nor ``None`` (headless)."""
    cluster_ip = (service.get("spec") or {}).get("clusterIP")
    return bool(cluster_ip) and cluster_ip != "None"
