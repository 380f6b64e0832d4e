"""The Service lab: one Deployment behind one Service, and requests to see where they go.

A Service is a stable name and address in front of pods that come and go. The lab runs the
smallest setup that shows it: three nginx pods (with a readiness probe on ``/``), a ClusterIP
Service ``web`` selecting them, and a ``client`` pod to send requests from, by the Service's name,
as any other pod of the cluster would. Then:

- *Send requests*: N requests to ``http://web``; the Sankey diagram (``k8skit.viz.traffic``)
  shows how many each pod answered;
- *Kill pod* deletes a pod (``kubectl delete pod``): its ReplicaSet makes a new one, with a new
  IP, and the Service follows;
- *Make unready* removes nginx's ``index.html`` in a pod (``kubectl exec ... rm``), so its
  readiness probe fails (nginx answers 403) and the endpoints controllers move it to the not
  ready endpoints: the pod still runs, but gets no traffic; *Make ready* puts the file back;
- *kube-proxy mode*: ``iptables`` picks an endpoint at random for each connection, ``ipvs`` takes
  them in turn (round robin);
- *Let 5 s pass*: probes, controllers and kube-proxy act on simulated time, so a change reaches
  the traffic only after the probe period, the controllers and kube-proxy's sync (at most once a
  second in iptables mode).

The table under the diagram lists each pod, whether its Service counts it as a ready endpoint
(its EndpointSlice), and the endpoints kube-proxy on the client's node sends to right now.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import plotly.graph_objects as go

from k8skit.cluster import Cluster
from k8skit.kubectl.printers.tables import pod_summary
from k8skit.node.kube_proxy import IPTABLES, PROXY_MODES
from k8skit.viz.traffic import traffic_sankey
from k8skit.widgets.cluster_dashboard import RUN_IT, Dashboard, refresh_options, show_figure

SERVICE = "web"
CLIENT = "client"
URL = f"http://{SERVICE}"
#: nginx's default page: without it nginx answers 403 and the readiness probe fails.
INDEX = "/usr/share/nginx/html/index.html"
#: Simulated seconds the *Let time pass* button lets pass.
WAIT_SECONDS = 5
#: Seconds to let pass after building the lab: pull nginx and busybox, start, pass the probe.
STARTUP_SECONDS = 30

_MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {service}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {service}}}}}
  template:
    metadata: {{labels: {{app: {service}}}}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports: [{{containerPort: 80}}]
        readinessProbe:
          httpGet: {{path: /, port: 80}}
          periodSeconds: 2
          failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata: {{name: {service}}}
spec:
  selector: {{app: {service}}}
  ports: [{{port: 80, targetPort: 80}}]
---
apiVersion: v1
kind: Pod
metadata: {{name: {client}}}
spec:
  containers: [{{name: {client}, image: busybox, command: [sleep, "86400"]}}]
"""

_STYLE = {"description_width": "110px"}


class ServiceLab(Dashboard):
    """``replicas`` nginx pods behind Service ``web`` on a ``nodes``-worker cluster."""

    def __init__(self, replicas: int = 3, nodes: int = 3, proxy_mode: str = IPTABLES,
                 requests: int = 100, seed: int = 0) -> None:
        super().__init__(Cluster(nodes=nodes, seed=seed, proxy_mode=proxy_mode))
        self.cluster.apply(_MANIFEST.format(service=SERVICE, client=CLIENT, replicas=replicas))
        self.cluster.run(STARTUP_SECONDS)

        self.requests = widgets.IntSlider(value=requests, min=1, max=1000, step=1,
                                          description="requests", continuous_update=False,
                                          style=_STYLE)
        self.send_button = self.button("Send requests", self.send,
                                       f"send the requests from pod {CLIENT} to {URL}", "primary")
        self.pod = widgets.Dropdown(description="pod", style=_STYLE,
                                    layout=widgets.Layout(width="330px"))
        self.kill_button = self.button("Kill pod", self.kill, "kubectl delete pod", "danger")
        self.unready_button = self.button("Make unready", self.make_unready,
                                          f"kubectl exec POD -- rm {INDEX}")
        self.ready_button = self.button("Make ready", self.make_ready,
                                        "put nginx's index.html back")
        self.mode = widgets.ToggleButtons(options=PROXY_MODES, value=proxy_mode,
                                          description="kube-proxy mode", style=_STYLE,
                                          tooltips=["a random endpoint per connection",
                                                    "endpoints in turn (round robin)"])
        self.wait_button = self.button(f"Let {WAIT_SECONDS} s pass", self.wait,
                                       "probes, controllers and kube-proxy act on time")
        self.status = widgets.HTML()
        self.endpoints = widgets.HTML()
        self.on_change(self.requests)
        self.on_change(self.mode, self.switch_mode, redraw=True)

        self.result = self.cluster.send_requests(URL, self.requests.value, source=CLIENT)
        self.figure = go.FigureWidget(traffic_sankey(self.result, self.cluster))
        self.children = (
            widgets.HBox([self.requests, self.send_button, self.wait_button]),
            widgets.HBox([self.pod, self.kill_button, self.unready_button, self.ready_button]),
            self.mode, self.status, self.message, self.figure, self.endpoints,
        )
        self.redraw()

    # -- actions -------------------------------------------------------------------------------
    def send(self) -> None:
        """Send the requests from the client pod and draw where they went."""
        self.result = self.cluster.send_requests(URL, self.requests.value, source=CLIENT)
        show_figure(self.figure, traffic_sankey(self.result, self.cluster))

    def kill(self) -> None:
        """``kubectl delete pod``: the ReplicaSet replaces it with a new pod (a new IP)."""
        self.kubectl(f"delete pod {self._chosen_pod()}")

    def make_unready(self) -> None:
        """Remove nginx's page in the pod: its readiness probe fails from the next probe on."""
        pod = self._chosen_pod()
        command = f"exec {pod} -- rm {INDEX}"
        if self.kubectl(command):
            self.tell(f"$ kubectl {command}\nnginx now answers 403 on /: the "
                      f"readiness probe fails within 2 s. Let time pass to see the Service drop "
                      f"{pod}.")

    def make_ready(self) -> None:
        """Put nginx's page back: the next probe passes and the Service takes the pod again."""
        pod = self._chosen_pod()
        command = f"exec {pod} -- sh -c 'echo ready > {INDEX}'"
        if self.kubectl(command):
            self.tell(f"$ kubectl {command}\nThe next readiness probe passes (within 2 s): let "
                      f"time pass to see the Service take {pod} back.")

    def wait(self) -> None:
        self.cluster.run(WAIT_SECONDS)

    def switch_mode(self) -> None:
        """Restart kube-proxy on every node with the chosen ``--proxy-mode``.

        kube-proxy reads its mode once, when it starts (the ``mode`` of its
        KubeProxyConfiguration); changing it means restarting it, after which it programs the
        rules afresh: ``iptables`` rules with random probabilities, or an IPVS virtual server
        with the round-robin scheduler.
        """
        mode = self.mode.value
        self.cluster.set_proxy_mode(mode)
        self.cluster.run(1)
        how = "at random" if mode == IPTABLES else "in turn (round robin)"
        self.tell(f"kube-proxy restarted in {mode} mode on every node: it now picks the "
                  f"endpoint of each connection {how}. Send requests to see it.")

    # -- what is shown -------------------------------------------------------------------------
    def redraw(self) -> None:
        pods = self._service_pods()
        refresh_options(self.pod, [p["metadata"]["name"] for p in pods])
        self.endpoints.value = self._endpoints_table(pods)
        self.describe()

    def describe(self) -> None:
        """The time, what *Send requests* will send and kube-proxy's mode."""
        self.status.value = (f"<b>t = {self.cluster.now:g} s</b> · <i>Send requests</i> sends "
                             f"{self.requests.value} requests from pod {CLIENT} to {URL}; "
                             f"kube-proxy runs in <b>{self.cluster.proxy_mode}</b> mode")

    def _service_pods(self) -> list[dict]:
        return self.cluster.api.list("Pod", "default", label_selector={"app": SERVICE})

    def endpoint_states(self) -> dict[str, str]:
        """Each pod the Service's EndpointSlices list, and how: ready, not ready, terminating."""
        states = {}
        for slice_ in self.cluster.api.list(
                "EndpointSlice", "default",
                label_selector={"kubernetes.io/service-name": SERVICE}):
            for endpoint in slice_.get("endpoints") or ():
                conditions = endpoint.get("conditions") or {}
                name = (endpoint.get("targetRef") or {}).get("name", "")
                if conditions.get("terminating"):
                    states[name] = "terminating"
                else:
                    states[name] = "ready" if conditions.get("ready") else "not ready"
        return states

    def proxy_backends(self) -> list[str]:
        """The endpoints kube-proxy on the client's node sends ``web`` to right now."""
        client = self.cluster.api.try_get("Pod", CLIENT)
        node = (client or {}).get("spec", {}).get("nodeName")
        proxy = self.cluster.kube_proxies.get(node)
        if proxy is None:
            return []
        return [backend.address for info in proxy.service_ports
                if info.key == f"default/{SERVICE}" for backend in info.cluster_backends]

    def _endpoints_table(self, pods: list[dict]) -> str:
        states = self.endpoint_states()
        served = self.result.counts if self.result is not None else {}
        rows = []
        for pod in pods:
            name = pod["metadata"]["name"]
            summary = pod_summary(pod)
            state = states.get(name, "not listed")
            rows.append(f"<tr><td>{html.escape(name)}</td><td>{summary.ready}/{summary.total}"
                        f"</td><td>{html.escape(summary.reason)}</td>"
                        f"<td>{pod.get('status', {}).get('podIP') or '&lt;none&gt;'}</td>"
                        f"<td>{pod['spec'].get('nodeName') or '&lt;none&gt;'}</td>"
                        f"<td>{state}</td><td>{served.get(name, 0)}</td></tr>")
        backends = ", ".join(self.proxy_backends()) or "none: connections are refused"
        return ('<table class="k8skit-table" style="font-size:12px"><thead><tr><th>pod</th>'
                "<th>READY</th><th>STATUS</th><th>IP</th><th>NODE</th><th>endpoint</th>"
                "<th>answered (last batch)</th></tr></thead><tbody>" + "".join(rows)
                + f"</tbody></table><div style='font-size:12px'>kube-proxy on the client's "
                  f"node sends {URL} to: {html.escape(backends)}</div>")

    def _chosen_pod(self) -> str:
        if not self.pod.value:
            raise ValueError(f"No pod of {SERVICE} is left to choose: let time pass for the "
                             "ReplicaSet to make new ones.")
        return self.pod.value

    def __repr__(self) -> str:
        states = self.endpoint_states()
        ready = sum(1 for state in states.values() if state == "ready")
        return (f"ServiceLab: t = {self.cluster.now:g} s, {len(self._service_pods())} pods "
                f"behind service/{SERVICE}, {ready} ready, kube-proxy {self.cluster.proxy_mode}; "
                f"{RUN_IT}")
