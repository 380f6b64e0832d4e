"""The rollout lab: a rolling update played step by step, and undone.

The Deployment of the Kubernetes Basics tutorial ("Performing a Rolling Update"): four pods of
``kubernetes-bootcamp:v1``, updated to ``v2``, or to ``v10``, a tag that does not exist. The
lab sets the two numbers of the RollingUpdate strategy:

- **maxSurge**: how many pods above ``replicas`` may exist during the rollout;
- **maxUnavailable**: how many below ``replicas`` may be unavailable.

*Roll out* applies the Deployment with those numbers and the chosen image (``kubectl apply``);
*Next step* lets simulated time pass until the rollout moves (a ReplicaSet grows or shrinks, a
pod becomes available), and *play* keeps stepping; *Undo* is ``kubectl rollout undo``. The
figure is the rollout timeline (``k8skit.viz.rollout``): each ReplicaSet's pods over time, inside
the band ``replicas - maxUnavailable`` .. ``replicas + maxSurge``, with the available pods. A
good image walks the stack from the old colour to the new; a bad one leaves the new ReplicaSet
stuck at its surge while the old pods keep serving, until the rollout is undone.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import plotly.graph_objects as go

from k8skit.cluster import Cluster
from k8skit.history import record
from k8skit.kubectl.command import CommandError
from k8skit.kubectl.commands.rollout import deployment_status
from k8skit.kubectl.printers.tables import pod_summary
from k8skit.viz.rollout import rollout_timeline
from k8skit.widgets.cluster_dashboard import RUN_IT, Dashboard, preformatted, show_figure

DEPLOYMENT = "bootcamp"
FIRST_IMAGE = "gcr.io/google-samples/kubernetes-bootcamp:v1"
#: The images the tutorial rolls out: a good one, and one whose tag does not exist.
IMAGES = (
    ("v1", FIRST_IMAGE),
    ("v2 (good)", "docker.io/jocatalin/kubernetes-bootcamp:v2"),
    ("v10 (no such tag)", "gcr.io/google-samples/kubernetes-bootcamp:v10"),
)
#: The longest a step waits for the rollout to move, in simulated seconds.
STEP_LIMIT = 60.0
#: Seconds to let pass after building the lab: the first pods pull their image and start.
STARTUP_SECONDS = 30

_MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels: {{app: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  strategy:
    type: RollingUpdate
    rollingUpdate: {{maxSurge: {surge}, maxUnavailable: {unavailable}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - name: {name}
        image: {image}
        ports: [{{containerPort: 8080}}]
"""

_STYLE = {"description_width": "120px"}


class RolloutLab(Dashboard):
    """A ``replicas``-pod Deployment to roll out with chosen maxSurge and maxUnavailable."""

    def __init__(self, replicas: int = 4, max_surge: int = 1, max_unavailable: int = 1,
                 nodes: int = 3, seed: int = 0) -> None:
        super().__init__(Cluster(nodes=nodes, seed=seed))
        self.replicas = replicas
        self.history = record(self.cluster)
        self.cluster.apply(self.manifest(FIRST_IMAGE, max_surge, max_unavailable))
        self.cluster.run(STARTUP_SECONDS)

        self.max_surge = widgets.IntSlider(value=max_surge, min=0, max=replicas,
                                           description="maxSurge", continuous_update=False,
                                           style=_STYLE)
        self.max_unavailable = widgets.IntSlider(value=max_unavailable, min=0, max=replicas,
                                                 description="maxUnavailable",
                                                 continuous_update=False, style=_STYLE)
        self.image = widgets.ToggleButtons(options=IMAGES, value=IMAGES[1][1],
                                           description="roll out", style=_STYLE)
        self.rollout_button = self.button("Roll out", self.roll_out,
                                          "kubectl apply the Deployment with these settings",
                                          "primary")
        self.step_button = self.button("Next step", self.next_step,
                                       "let time pass until the rollout moves")
        self.undo_button = self.button("Undo", self.undo, "kubectl rollout undo")
        self.play = widgets.Play(value=0, min=0, max=10_000, step=1, interval=800,
                                 show_repeat=False, description="play",
                                 tooltip="keep stepping the rollout")
        self.play.observe(self._on_play, names="value")
        self.plan = widgets.HTML()
        self.status = widgets.HTML()
        self.on_change(self.max_surge)
        self.on_change(self.max_unavailable)
        self.figure = go.FigureWidget(rollout_timeline(self.history, DEPLOYMENT))
        self.children = (
            widgets.HBox([self.max_surge, self.max_unavailable]), self.plan, self.image,
            widgets.HBox([self.rollout_button, self.play, self.step_button, self.undo_button]),
            self.message, self.figure, self.status,
        )
        self.redraw()

    def manifest(self, image: str, surge: int, unavailable: int) -> str:
        """The Deployment with these settings, as the learner would write it."""
        return _MANIFEST.format(name=DEPLOYMENT, replicas=self.replicas, surge=surge,
                                unavailable=unavailable, image=image)

    # -- actions -------------------------------------------------------------------------------
    def roll_out(self) -> None:
        """``kubectl apply`` the Deployment with the sliders' strategy and the chosen image."""
        before = self.current_image()
        manifest = self.manifest(self.image.value, self.max_surge.value,
                                 self.max_unavailable.value)
        if self.kubectl("apply -f -", stdin=manifest) and self.image.value == before:
            self.tell(f"{self.message_text}\nThe pod template did not change ({before}), so "
                      "there is nothing to roll out: the new maxSurge and maxUnavailable "
                      "apply to the next rollout.")

    def next_step(self) -> None:
        """Let time pass until the rollout moves, at most :data:`STEP_LIMIT` seconds."""
        clock = self.cluster.clock
        line, done = self.rollout_status()
        if done:
            self.tell(f"{line}: there is no step left. Roll out another image.")
            return
        before = self._progress()
        end = clock.now + STEP_LIMIT
        while (when := clock.next_time()) is not None and when <= end:
            clock.run_until(when)
            if self._progress() != before:
                self.tell(f"t = {clock.now:g} s: {self.rollout_status()[0]}")
                return
        clock.run_until(end)
        self.tell(self._why_nothing_moved())

    def undo(self) -> None:
        """``kubectl rollout undo``: the previous revision's template becomes the newest."""
        self.kubectl(f"rollout undo deployment/{DEPLOYMENT}")

    def _on_play(self, change: dict) -> None:
        if change["new"] > change["old"]:
            self.guarded(self.next_step)()

    # -- reading the rollout -------------------------------------------------------------------
    def current_image(self) -> str:
        deployment = self.cluster.api.get("Deployment", DEPLOYMENT)
        return deployment["spec"]["template"]["spec"]["containers"][0]["image"]

    def _replica_sets(self) -> list[dict]:
        return self.cluster.api.list("ReplicaSet", "default",
                                     label_selector={"app": DEPLOYMENT})

    def _progress(self) -> tuple:
        """What a step waits to change: each ReplicaSet's desired, actual, ready and available
        pods."""
        return tuple((rs["metadata"]["name"], rs["spec"].get("replicas", 0),
                      *(rs.get("status", {}).get(key, 0) for key in
                        ("replicas", "readyReplicas", "availableReplicas")))
                     for rs in self._replica_sets())

    def rollout_status(self) -> tuple[str, bool]:
        """What ``kubectl rollout status`` says now, and whether the rollout is done."""
        try:
            line, done = deployment_status(self.cluster.api.get("Deployment", DEPLOYMENT))
        except CommandError as error:
            return str(error), False
        return line.strip(), done

    def _why_nothing_moved(self) -> str:
        image = self.current_image()
        stuck = sorted({pod_summary(pod).reason for pod in self.cluster.api.list(
            "Pod", "default", label_selector={"app": DEPLOYMENT})
            if pod["spec"]["containers"][0]["image"] == image
            and pod_summary(pod).reason != "Running"})
        return (f"Nothing moved for {STEP_LIMIT:g} s: the new pods ({image}) are "
                f"{', '.join(stuck) or 'not becoming available'}. The old pods keep serving; "
                "the Deployment waits for its progress deadline (600 s, then "
                "ProgressDeadlineExceeded). Undo to go back.")

    # -- what is shown -------------------------------------------------------------------------
    def redraw(self) -> None:
        show_figure(self.figure, rollout_timeline(self.history, DEPLOYMENT))
        self.describe()
        table = self.cluster.kubectl(f"get rs -l app={DEPLOYMENT} -o wide").stdout
        self.status.value = (f"<b>t = {self.cluster.now:g} s</b> · "
                             f"{html.escape(self.rollout_status()[0])}"
                             f"{preformatted(table)}")

    def describe(self) -> None:
        """The band the sliders set for the next rollout."""
        self.plan.value = self._plan()

    def _plan(self) -> str:
        surge, unavailable, replicas = (self.max_surge.value, self.max_unavailable.value,
                                        self.replicas)
        if surge == 0 and unavailable == 0:
            return ("<b>maxSurge and maxUnavailable cannot both be 0</b>: no pod could be added "
                    "and none taken away, so the rollout could never move.")
        return (f"With {replicas} replicas, the next rollout keeps at most "
                f"<b>{replicas + surge}</b> pods ({replicas} + maxSurge {surge}) and at least "
                f"<b>{max(replicas - unavailable, 0)}</b> available ({replicas} − "
                f"maxUnavailable {unavailable}).")

    def __repr__(self) -> str:
        image = self.current_image().rpartition("/")[2]
        state = "rolled out" if self.rollout_status()[1] else "rolling out"
        return (f"RolloutLab: t = {self.cluster.now:g} s, deployment/{DEPLOYMENT} {state} at "
                f"{image}; {RUN_IT}")
