"""The cluster dashboard: the live cluster map, a clock to play, actions, events and kubectl.

``ClusterDashboard(cluster)`` puts a whole simulated cluster under a learner's hands:

- the cluster map (``k8skit.viz.cluster_map``), redrawn in place after everything that happens;
- the clock: *Step* lets the chosen amount of simulated time pass, *play* keeps stepping, as
  if the cluster ran on its own;
- actions a cluster operator takes every day: scale a Deployment, roll out an image and undo it,
  delete a pod, cordon or uncordon a node, and power a node off and on again;
- the latest events of the namespace, printed as ``kubectl get events`` prints them;
- a kubectl box that runs any command line on the same cluster.

Every action is a kubectl command (the message line shows which one, and what kubectl answered)
or, for a machine failing and coming back, the Cluster's own chaos call: nothing goes around the
API server. A mistake (a negative replica count, an empty image, a node that is already off)
ends as one plain sentence in the message line, never as a traceback.

This module also holds :class:`Dashboard`, what the course's cluster dashboards share: the
cluster, the message line and the guard that turns any failure of a control into a message.
"""

from __future__ import annotations

import functools
import heapq
import html
from collections.abc import Callable

import ipywidgets as widgets
import plotly.graph_objects as go

from k8skit.api.defaults import DEFAULT_TOLERATION_SECONDS
from k8skit.api.errors import APIError
from k8skit.clock import full_collections_deferred
from k8skit.control_plane.controllers.node_lifecycle import NODE_MONITOR_GRACE_PERIOD
from k8skit.kubectl.printers.tables import node_roles, node_status, render_rows, table_rows
from k8skit.viz.cluster_map import cluster_map, cluster_map_patch, node_order
from k8skit.viz.palette import GREY, VERMILLION

#: What a dashboard's text says where widgets cannot be drawn (a saved notebook, a text viewer).
#: ipywidgets cuts the text after 110 characters, so each dashboard keeps its own short.
RUN_IT = "run it in JupyterLab"

#: Simulated time one step lets pass, as the speed slider offers it.
SPEEDS = (("1 s", 1), ("2 s", 2), ("5 s", 5), ("10 s", 10), ("30 s", 30), ("1 min", 60))

#: The most replicas the dashboard's Scale button asks for. A real cluster accepts any count
#: (and runs at most 110 pods per node); past a few hundred pods the simulated cluster only
#: gets slow to redraw, which is no lesson.
MAX_REPLICAS = 300

#: How many of the namespace's latest events the event log shows.
EVENT_LOG_LENGTH = 8

#: The play widget's last value: about a day of clicks at one step a second.
_PLAY_STEPS = 100_000

_WIDE = widgets.Layout(width="300px")
_BUTTON = widgets.Layout(width="auto")
_LABEL_STYLE = {"description_width": "80px"}


def preformatted(text: str, max_height: str = "16em") -> str:
    """Text as a terminal shows it: monospace, lines kept whole (scrolling sideways and down
    when needed), and escaped, since it may hold anything a learner typed."""
    return (f'<pre style="margin:0; max-height:{max_height}; overflow:auto; white-space:pre; '
            f'font-size:12px; line-height:1.3">{html.escape(text)}</pre>')


def plain_words(error: BaseException) -> str:
    """What a failure says, without Python's decorations: an API error is kubectl's line, a
    KeyError its message without the quotes ``str(KeyError)`` adds."""
    if isinstance(error, APIError):
        return str(error)
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])
    return str(error) or type(error).__name__


class Dashboard(widgets.VBox):
    """Controls, figures and a message line over one simulated cluster.

    Every control's handler is wrapped by :meth:`guarded`: the message line is cleared, the
    handler runs, and whatever goes wrong becomes one sentence in the message line. Then
    :meth:`redraw` shows the cluster as it is now, also after a failure (a kubectl command can
    fail half-way, as ``kubectl apply`` of several documents does). Python's full garbage
    collections wait until all that is done, so none lands in the middle of a click.
    """

    def __init__(self, cluster) -> None:
        super().__init__()
        self.cluster = cluster
        self.message = widgets.HTML(layout=widgets.Layout(min_height="1.5em"))
        #: The message line as a learner reads it, and whether it reports a failure.
        self.message_text = ""
        self.problem = False

    # -- the message line ----------------------------------------------------------------------
    def tell(self, text: str) -> None:
        """Say what happened (what kubectl answered, what a control did)."""
        self._say(text, problem=False)

    def warn(self, text: str) -> None:
        """Say what went wrong, in plain words."""
        self._say(text, problem=True)

    def _say(self, text: str, problem: bool) -> None:
        self.message_text, self.problem = text, problem
        color, weight = (VERMILLION, "bold") if problem else (GREY, "normal")
        self.message.value = (f'<div style="color:{color}; font-weight:{weight}; '
                              f'white-space:pre-wrap; line-height:1.35">{html.escape(text)}</div>')

    # -- controls ------------------------------------------------------------------------------
    def guarded(self, handler: Callable[..., None], redraw: bool = True
                ) -> Callable[..., None]:
        """``handler`` as a control calls it: failures become the message, then a redraw
        (or, with ``redraw`` False, only the texts: :meth:`describe`)."""
        show = self.redraw if redraw else self.describe

        @functools.wraps(handler)
        def run(*args) -> None:
            with full_collections_deferred():
                self._say("", problem=False)
                try:
                    handler(*args)
                except Exception as error:  # noqa: BLE001 - a control never shows a traceback
                    self.warn(plain_words(error))
                try:
                    show()
                except Exception as error:  # noqa: BLE001
                    self.warn(f"Could not redraw: {plain_words(error)}")

        return run

    def button(self, description: str, handler: Callable[[], None], tooltip: str = "",
               style: str = "") -> widgets.Button:
        """A button whose click runs ``handler`` (guarded)."""
        button = widgets.Button(description=description, tooltip=tooltip or description,
                                button_style=style, layout=_BUTTON)
        guarded = self.guarded(handler)
        button.on_click(lambda _button: guarded())
        return button

    def on_change(self, control: widgets.Widget, handler: Callable[[], None] | None = None,
                  redraw: bool = False) -> None:
        """Run ``handler`` (guarded) when ``control``'s value changes, then show the texts
        again, or everything with ``redraw``. Without a handler the control only sets what the
        next action does, which the texts say."""
        guarded = self.guarded(handler or _nothing, redraw=redraw)
        control.observe(lambda _change: guarded(), names="value")

    def kubectl(self, command: str, stdin: str | None = None) -> bool:
        """Run a kubectl command line on the cluster and say what kubectl answered.

        The message shows the command itself, so a learner sees what to type on a real cluster.
        Returns whether the command succeeded.
        """
        result = self.cluster.kubectl(command, stdin=stdin)
        answer = (result.stdout + result.stderr).strip()
        if result.returncode:
            self.warn(f"$ kubectl {command}\n{answer}")
            return False
        self.tell(f"$ kubectl {command}\n{answer}")
        return True

    def redraw(self) -> None:
        """Show the cluster as it is now: figures and texts."""
        raise NotImplementedError

    def describe(self) -> None:
        """Show the texts again (a setting changed, the cluster did not); by default, redraw."""
        self.redraw()


def show_figure(widget: go.FigureWidget, figure: go.Figure) -> None:
    """Redraw ``widget`` as ``figure``, for figures that have no patch function because their
    traces come and go (a rollout's ReplicaSets, a Sankey's pods)."""
    widget.data = ()
    widget.add_traces(list(figure.data))
    widget.layout = figure.layout


def _nothing() -> None:
    """The handler of a control that only changes what the next action does."""


def refresh_options(dropdown: widgets.Dropdown, options: list[str]) -> None:
    """Offer ``options``, keeping the current choice when it is still there.

    Only a real change is sent to the browser (a dropdown of 100 pods costs a message each
    time)."""
    if tuple(dropdown.options) == tuple(options):
        return
    current = dropdown.value
    dropdown.options = options
    dropdown.value = current if current in options else (options[0] if options else None)


class ClusterDashboard(Dashboard):
    """The cluster map with a clock, everyday actions, the event log and a kubectl box.

    ``namespace`` is where the actions look for Deployments and pods and whose events are
    shown; ``speed`` is the simulated seconds one step lets pass (one of :data:`SPEEDS`).
    """

    def __init__(self, cluster, namespace: str = "default", speed: int = 5) -> None:
        super().__init__(cluster)
        self.namespace = namespace
        self.figure = go.FigureWidget(cluster_map(cluster))

        # The clock.
        self.clock_line = widgets.HTML()
        self.play = widgets.Play(value=0, min=0, max=_PLAY_STEPS, step=1, interval=1000,
                                 show_repeat=False, description="play",
                                 tooltip="keep stepping the cluster's clock")
        self.step_button = self.button("Step", self.step, "let one step of simulated time pass")
        self.speed = widgets.SelectionSlider(options=SPEEDS, value=speed, description="each step",
                                             continuous_update=False, style=_LABEL_STYLE)
        self.play.observe(self._on_play, names="value")
        self.on_change(self.speed)

        # Deployments.
        self.deployment = widgets.Dropdown(description="deployment", style=_LABEL_STYLE,
                                           layout=_WIDE)
        self.replicas = widgets.IntText(value=3, description="replicas", style=_LABEL_STYLE,
                                        layout=widgets.Layout(width="160px"))
        self.image = widgets.Text(description="image", placeholder="nginx:1.27",
                                  style=_LABEL_STYLE, layout=_WIDE)
        self.scale_button = self.button("Scale", self.scale,
                                        "kubectl scale deployment --replicas")
        self.set_image_button = self.button("Set image", self.set_image,
                                            "kubectl set image deployment: a rolling update")
        self.undo_button = self.button("Undo rollout", self.undo,
                                       "kubectl rollout undo deployment")
        self.deployment.observe(self._show_deployment, names="value")

        # Pods and nodes.
        self.pod = widgets.Dropdown(description="pod", style=_LABEL_STYLE, layout=_WIDE)
        self.delete_pod_button = self.button("Delete pod", self.delete_pod, "kubectl delete pod")
        self.node = widgets.Dropdown(description="node", style=_LABEL_STYLE, layout=_WIDE)
        self.fail_node_button = self.button("Fail node", self.fail_node,
                                            "power the machine off", "danger")
        self.restore_node_button = self.button("Restore node", self.restore_node,
                                               "power the machine back on")
        self.cordon_button = self.button("Cordon", self.cordon, "kubectl cordon")
        self.uncordon_button = self.button("Uncordon", self.uncordon, "kubectl uncordon")

        # The event log and the kubectl box.
        self.events = widgets.HTML()
        self.command = widgets.Text(description="kubectl", placeholder="get pods -o wide",
                                    style=_LABEL_STYLE, layout=widgets.Layout(width="560px"))
        self.run_button = self.button("Run", self.run_command, "run the kubectl command")
        self.command.on_msg(self._on_text_message)
        self.output = widgets.HTML()

        self.children = (
            widgets.HBox([self.play, self.step_button, self.speed, self.clock_line]),
            self.figure,
            widgets.HBox([self.deployment, self.replicas, self.scale_button]),
            widgets.HBox([self.image, self.set_image_button, self.undo_button],
                         layout=widgets.Layout(margin="0 0 0 0")),
            widgets.HBox([self.pod, self.delete_pod_button]),
            widgets.HBox([self.node, self.fail_node_button, self.restore_node_button,
                          self.cordon_button, self.uncordon_button]),
            self.message,
            widgets.HTML("<b>Latest events</b>"), self.events,
            widgets.HBox([self.command, self.run_button]), self.output,
        )
        self.redraw()
        self._show_deployment()

    # -- the clock -----------------------------------------------------------------------------
    def step(self) -> None:
        """Let one step of simulated time pass (the speed slider's seconds)."""
        self.cluster.run(self.speed.value)

    def _on_play(self, change: dict) -> None:
        # The play widget counts up while it plays; stop sends it back to 0, which is no step.
        if change["new"] > change["old"]:
            self.guarded(self.step)()

    # -- actions -------------------------------------------------------------------------------
    def scale(self) -> None:
        """``kubectl scale deployment/NAME --replicas=N``."""
        name = self._chosen(self.deployment, "Deployment")
        replicas = self.replicas.value
        if replicas > MAX_REPLICAS:
            raise ValueError(f"{replicas} replicas is more than this dashboard runs "
                             f"(at most {MAX_REPLICAS}); try a smaller number.")
        self.kubectl(f"scale deployment/{name} --replicas={replicas} -n {self.namespace}")

    def set_image(self) -> None:
        """``kubectl set image deployment/NAME CONTAINER=IMAGE``: a rolling update."""
        name = self._chosen(self.deployment, "Deployment")
        image = self.image.value.strip()
        if not image:
            raise ValueError("Type the image to roll out first, for example nginx:1.27.")
        if any(char.isspace() for char in image):
            raise ValueError(f'"{image}" is not an image reference: an image has no spaces '
                             "(for example nginx:1.27).")
        container = self._first_container(name)
        self.kubectl(f"set image deployment/{name} {container}={image} -n {self.namespace}")

    def undo(self) -> None:
        """``kubectl rollout undo deployment/NAME``: back to the previous revision."""
        name = self._chosen(self.deployment, "Deployment")
        self.kubectl(f"rollout undo deployment/{name} -n {self.namespace}")

    def delete_pod(self) -> None:
        """``kubectl delete pod NAME``: its controller, if it has one, makes a new one."""
        name = self._chosen(self.pod, "pod")
        self.kubectl(f"delete pod {name} -n {self.namespace}")

    def fail_node(self) -> None:
        """Power the chosen machine off (``Cluster.fail_node``): no kubectl can do that."""
        name = self._chosen(self.node, "node")
        if not self.cluster.kubelets[name].running:
            raise ValueError(f"{name} is already off: restore it first.")
        self.cluster.fail_node(name)
        self.tell(f"{name} is powered off. Its kubelet stops reporting: step the clock and "
                  f"watch the node controller mark it NotReady after "
                  f"{NODE_MONITOR_GRACE_PERIOD:g} s of silence, and its pods evicted "
                  f"{DEFAULT_TOLERATION_SECONDS} s after that.")

    def restore_node(self) -> None:
        """Power the chosen machine back on (``Cluster.restore_node``)."""
        name = self._chosen(self.node, "node")
        if self.cluster.kubelets[name].running:
            raise ValueError(f"{name} is already running.")
        self.cluster.restore_node(name)
        self.tell(f"{name} is powered on: its kubelet registers again and reports Ready.")

    def cordon(self) -> None:
        """``kubectl cordon NODE``: no new pods are scheduled there."""
        self.kubectl(f"cordon {self._chosen(self.node, 'node')}")

    def uncordon(self) -> None:
        """``kubectl uncordon NODE``."""
        self.kubectl(f"uncordon {self._chosen(self.node, 'node')}")

    def run_command(self) -> None:
        """Run the kubectl box's command line and show its output."""
        command = self.command.value.strip()
        if command.startswith("kubectl "):
            command = command[len("kubectl "):].strip()
        if not command:
            raise ValueError("Type a kubectl command first, for example: get pods -o wide")
        result = self.cluster.kubectl(command)
        self.output.value = preformatted(f"$ kubectl {command}\n{result.stdout}{result.stderr}")

    def _on_text_message(self, _widget, content: dict, _buffers) -> None:
        # The browser sends "submit" when Enter is pressed in the box.
        if content.get("event") == "submit":
            self.guarded(self.run_command)()

    # -- what is shown -------------------------------------------------------------------------
    def redraw(self) -> None:
        """The map, the clock line, the event log and the choices, as the cluster is now."""
        cluster_map_patch(self.cluster).apply_to(self.figure)
        self.describe()
        self.events.value = preformatted(self.event_log(), max_height="12em")
        api = self.cluster.api
        refresh_options(self.deployment, [d["metadata"]["name"]
                                          for d in api.list("Deployment", self.namespace)])
        refresh_options(self.pod, [p["metadata"]["name"] for p in api.list("Pod", self.namespace)])
        # Workers first: the machine a learner means to fail or cordon is rarely the control
        # plane.
        refresh_options(self.node, [n["metadata"]["name"] for n in sorted(
            api.list("Node"), key=lambda n: ("control-plane" in node_roles(n),
                                             node_order(n["metadata"]["name"])))])

    def describe(self) -> None:
        """The clock line: the time now and what one step lets pass."""
        self.clock_line.value = (f"<b>t = {self.cluster.now:g} s</b> · each step lets "
                                 f"{self.speed.label} of cluster time pass")

    def event_log(self) -> str:
        """The namespace's latest events, oldest first, as ``kubectl get events`` prints them."""
        events = self.cluster.api.list("Event", self.namespace)
        if not events:
            return f"No events in namespace {self.namespace} yet."
        # RFC 3339 timestamps of whole seconds sort as text; the revision orders one second.
        latest = heapq.nlargest(EVENT_LOG_LENGTH, events, key=lambda e: (
            e.get("lastTimestamp") or "", int(e["metadata"]["resourceVersion"])))
        latest.reverse()
        return render_rows(table_rows("Event", latest, self.cluster.now)).rstrip("\n")

    def _show_deployment(self, _change=None) -> None:
        """Put the chosen Deployment's replicas and image in the boxes, ready to change (it
        only reads, so it needs no guard and no redraw)."""
        name = self.deployment.value
        found = name and self.cluster.api.try_get("Deployment", name, self.namespace)
        if not found:
            return
        self.replicas.value = found["spec"].get("replicas", 1)
        containers = found["spec"]["template"]["spec"].get("containers") or []
        self.image.value = containers[0].get("image", "") if containers else ""

    def _chosen(self, dropdown: widgets.Dropdown, what: str) -> str:
        if not dropdown.value:
            where = "" if what == "node" else f" in namespace {self.namespace}"
            hint = (" (create one in the kubectl box, e.g. create deployment web "
                    "--image=nginx --replicas=3)" if what == "Deployment" else "")
            raise ValueError(f"There is no {what}{where} to choose yet{hint}.")
        return dropdown.value

    def _first_container(self, deployment: str) -> str:
        found = self.cluster.api.get("Deployment", deployment, self.namespace)
        return found["spec"]["template"]["spec"]["containers"][0]["name"]

    def __repr__(self) -> str:
        nodes = self.cluster.api.list("Node")
        not_ready = sum(1 for n in nodes if node_status(n).split(",")[0] != "Ready")
        pods = len(self.cluster.api.list("Pod", self.namespace))
        return (f"ClusterDashboard: t = {self.cluster.now:g} s, {len(nodes)} nodes"
                + (f" ({not_ready} NotReady)" if not_ready else "")
                + f", {pods} pods in {self.namespace}; {RUN_IT}")
