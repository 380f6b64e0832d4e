"""``kubectl cluster-info``: where the control plane and the cluster's services answer.

The address is the API server's, on the control-plane node; then every Service in
``kube-system`` labelled ``kubernetes.io/cluster-service=true`` (CoreDNS on a kubeadm
cluster) is listed under its ``kubernetes.io/name`` label, reached through the API server's
service proxy. Source: ``staging/src/k8s.io/kubectl/pkg/cmd/clusterinfo/clusterinfo.go``.
"""

from __future__ import annotations

from k8skit.kubectl.command import Command, Context
from k8skit.kubectl.flags import ParsedArgs
from k8skit.kubectl.printers.tables import node_roles

# The API server's secure port on the control-plane node (minikube's; kubeadm uses 6443).
API_SERVER_PORT = 8443
DEFAULT_CONTROL_PLANE_IP = "192.168.49.2"


def api_server_url(api) -> str:
    for node in api.list("Node"):
        if "control-plane" in node_roles(node):
            for address in node.get("status", {}).get("addresses") or []:
                if address.get("type") == "InternalIP":
                    return f"https://{address['address']}:{API_SERVER_PORT}"
    return f"https://{DEFAULT_CONTROL_PLANE_IP}:{API_SERVER_PORT}"


def run(ctx: Context, parsed: ParsedArgs) -> None:
    url = api_server_url(ctx.api)
    ctx.print(f"Kubernetes control plane is running at {url}")
    services = ctx.api.list("Service", namespace="kube-system",
                            label_selector="kubernetes.io/cluster-service=true")
    for service in services:
        meta = service["metadata"]
        name = (meta.get("labels") or {}).get("kubernetes.io/name") or meta["name"]
        ports = service.get("spec", {}).get("ports") or []
        port_name = f":{ports[0]['name']}" if ports and ports[0].get("name") else ""
        ctx.print(f"{name} is running at {url}/api/v1/namespaces/kube-system/services/"
                  f"{meta['name']}{port_name}/proxy")
    ctx.print()
    ctx.print("To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.")


COMMAND = Command(
    name="cluster-info",
    short="Display cluster information.",
    usage="kubectl cluster-info [flags] [options]",
    run=run,
)
