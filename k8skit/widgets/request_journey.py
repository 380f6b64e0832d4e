"""Follow one ``kubectl apply`` through the cluster, component by component.

Chapter 3 tells the story every Kubernetes course tells: kubectl sends the manifest to the API
server, which stores it in etcd; the controller manager makes a ReplicaSet and pods; the
scheduler binds each pod to a node; that node's kubelet has the container runtime pull the image
and start the containers, then reports the pod Running; the endpoints controllers add the ready
pod to its Service; kube-proxy on every node reprograms the Service's rules. This module does not
tell that story from a script: it *records* it, as the simulated cluster actually processed one
apply, and lets a learner step through it.

:func:`follow_apply` applies the manifest with kubectl and lets the cluster run, writing down

- every write the API server accepted (its audit log: when, by whom, which verb on which object,
  and the revision it became), and the object as the watch delivered it after each write, to
  show what changed;
- the events the components recorded meanwhile: the kubelet's ``Pulling``, ``Pulled``,
  ``Created`` and ``Started`` are the container runtime's work (the runtime itself never talks
  to the API server: the kubelet drives it through the CRI and reports what it did);
- when each node's kube-proxy reprogrammed the rules of an affected Service. kube-proxy only
  *reads* from the API server (it watches Services and EndpointSlices), so its steps are what
  it programmed, read off kube-proxy itself after each moment of simulated time.

Only what concerns the applied objects is kept: the objects themselves, everything they own
(a Deployment's ReplicaSets, their pods: ``metadata.ownerReferences``), the Endpoints and
EndpointSlices of their Services or that list their pods, and the events about any of them. A
fresh cluster's own start-up (kube-system pods, node heartbeats) is left out.

:class:`RequestJourney` shows the recorded steps on the cluster's anatomy picture
(``k8skit.viz.anatomy``), one at a time, with what changed in the object at that step.
"""

from __future__ import annotations

import copy
import functools
import html
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as widgets
import plotly.graph_objects as go
import yaml

from k8skit.api.kinds import KINDS
from k8skit.api.manifests import ManifestError, load_documents
from k8skit.api.server import AuditRecord
from k8skit.api.store import WatchEvent
from k8skit.control_plane import cloud
from k8skit.node.kubelet import events as kubelet_events
from k8skit.viz.anatomy import (
    API_SERVER,
    CLOUD_CONTROLLER_MANAGER,
    CONTROLLER_MANAGER,
    ETCD,
    KUBE_PROXY,
    KUBECTL,
    KUBELET,
    RUNTIME,
    SCHEDULER,
    anatomy,
    anatomy_patch,
)
from k8skit.widgets.cluster_dashboard import RUN_IT, Dashboard

#: Simulated seconds the cluster runs after the apply: enough to pull an image, start the
#: containers, pass a readiness probe and reprogram kube-proxy's rules.
DEFAULT_SECONDS = 30.0

#: Kubelet event reasons that report the container runtime's work (CRI calls PullImage,
#: CreateContainer, StartContainer, StopContainer; ``pkg/kubelet/events/event.go``).
RUNTIME_REASONS = frozenset({
    kubelet_events.PULLING_IMAGE, kubelet_events.PULLED_IMAGE, kubelet_events.CREATED_CONTAINER,
    kubelet_events.STARTED_CONTAINER, kubelet_events.KILLING_CONTAINER,
    kubelet_events.FAILED_TO_PULL_IMAGE,
})

#: Fields that change on every write and say nothing about the step.
_NOISE = ("metadata.resourceVersion", "metadata.managedFields")

#: The fields that name a list item in a change's path (conditions, containers, addresses).
_ITEM_KEYS = ("type", "name", "ip")

#: How many changed fields a step shows before "... and N more".
SHOWN_CHANGES = 14


class _Absent:
    """A field that is not set (before a create, or removed)."""

    def __repr__(self) -> str:
        return "(unset)"


ABSENT = _Absent()


@dataclass(frozen=True)
class Change:
    """One field of an object at one step: its value before and after."""

    path: str
    before: object
    after: object

    def __str__(self) -> str:
        if self.before is ABSENT:
            return f"{self.path}: {_shown(self.after)}"
        if self.after is ABSENT:
            return f"{self.path}: {_shown(self.before)} → (removed)"
        return f"{self.path}: {_shown(self.before)} → {_shown(self.after)}"


@dataclass(frozen=True)
class Actor:
    """Who did a step: a component of the anatomy picture (on a node, for node agents), and
    the name it gave the API server (the audit log's user, or a controller's name)."""

    component: str | None       # an anatomy component, None for one the picture does not draw
    name: str
    node: str | None = None

    @property
    def label(self) -> str:
        where = f" on {self.node}" if self.node else ""
        if self.component in (None, self.name):
            return f"{self.name}{where}"
        return f"{self.component}{where} ({self.name})"


@dataclass
class Step:
    """One step of the journey: a component's write (or writes of one kind at one instant),
    the runtime's work the kubelet reported, or kube-proxy reprogramming rules."""

    time: float
    actor: Actor
    verb: str                            # create, update, update-status, delete, run, program
    kind: str
    objects: list[str]                   # namespace/name of each object
    revisions: list[int] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    said: list[str] = field(default_factory=list)    # "Reason: message" of its events
    nodes: list[str] = field(default_factory=list)   # kube-proxy: the nodes that reprogrammed

    @property
    def writes(self) -> bool:
        """Whether the step wrote through the API server (to etcd)."""
        return bool(self.revisions)

    @property
    def highlight(self) -> list[str]:
        """The anatomy's components to light up: the actor, and the API server and etcd it
        wrote through."""
        lit = []
        if self.actor.component == KUBE_PROXY:
            lit += [f"{KUBE_PROXY}/{node}" for node in self.nodes]
        elif self.actor.component == RUNTIME:
            lit += [f"{KUBELET}/{self.actor.node}", f"{RUNTIME}/{self.actor.node}"]
        elif self.actor.component is not None:
            node = f"/{self.actor.node}" if self.actor.node else ""
            lit.append(f"{self.actor.component}{node}")
        if self.writes:
            lit += [API_SERVER, ETCD]
        return lit

    @property
    def headline(self) -> str:
        what = self.objects[0] + (f" and {len(self.objects) - 1} more"
                                  if len(self.objects) > 1 else "")
        if self.actor.component == KUBE_PROXY:
            return f"kube-proxy on {', '.join(self.nodes)} reprogrammed the rules of {what}"
        if self.actor.component == RUNTIME:
            return f"the container runtime on {self.actor.node} worked on pod {what}"
        return f"{self.actor.label}: {self.verb} {self.kind} {what}"


@dataclass
class Journey:
    """What one ``kubectl apply`` set off, as recorded."""

    command: str
    output: str                 # what kubectl printed
    ok: bool
    started: float
    ended: float
    steps: list[Step]

    @property
    def components(self) -> list[str]:
        """The components of the steps, in order, each repeat of the previous left out."""
        order: list[str] = []
        for step in self.steps:
            name = step.actor.component or step.actor.name
            if not order or order[-1] != name:
                order.append(name)
        return order


# -- recording ------------------------------------------------------------------------------------

ObjectId = tuple[str, str | None, str]          # (kind, namespace, name), as the audit log has it


class _Snapshots:
    """Every object as it was when recording began and as each watch event delivered it
    afterwards, by the revision it carried (as an informer lists, then watches).

    A watch delivers an object a moment after the write (on the clock), so two writes to the
    same object in one go are seen once, as the later one: then the earlier revision has no
    snapshot of its own.
    """

    def __init__(self, api) -> None:
        self.by_object: dict[ObjectId, list[tuple[int, dict | None]]] = {}
        self.recording = True
        self._api = api
        self._handlers = {kind: functools.partial(self._on_event, kind) for kind in KINDS}
        for kind, handler in self._handlers.items():
            if kind != "Event":      # events are only ever read once written
                for obj in api.list(kind):
                    self._on_event(kind, WatchEvent("ADDED", obj))
            api.watch(kind, handler)

    def _on_event(self, kind: str, event: WatchEvent) -> None:
        if not self.recording:
            return
        meta = event.object["metadata"]
        namespace = meta.get("namespace", "default") if KINDS[kind].namespaced else None
        history = self.by_object.setdefault((kind, namespace, meta["name"]), [])
        revision = int(meta["resourceVersion"])
        if history and history[-1][0] == revision:
            return
        history.append((revision, None if event.type == "DELETED" else copy.deepcopy(
            event.object)))

    def stop(self) -> None:
        """Stop recording: close the watches (events already queued are ignored)."""
        self.recording = False
        for kind, handler in self._handlers.items():
            self._api.unwatch(kind, handler)

    def close(self) -> None:
        """Stop recording and let the copies go."""
        self.stop()
        self.by_object = {}

    def as_of(self, object_id: ObjectId, revision: int) -> dict | None:
        """The object as it was at ``revision`` (None before it existed or once deleted)."""
        found = None
        for seen, obj in self.by_object.get(object_id, ()):
            if seen > revision:
                break
            found = obj
        return found

    def delivered(self, object_id: ObjectId, revision: int) -> tuple[int, dict | None] | None:
        """What the watch delivered for the write at ``revision`` (or the first write after)."""
        return next(((seen, obj) for seen, obj in self.by_object.get(object_id, ())
                     if seen >= revision), None)

    def any_state(self, object_id: ObjectId, revision: int) -> dict | None:
        """The object at or after ``revision``, else the last one seen: for who-owns-what."""
        found = self.delivered(object_id, revision)
        if found is not None and found[1] is not None:
            return found[1]
        return next((obj for _, obj in reversed(self.by_object.get(object_id, ()))
                     if obj is not None), None)


@dataclass(frozen=True)
class _ProxySync:
    """kube-proxy on one node rebuilt its rules: what each Service port now sends to."""

    time: float
    audit_length: int           # writes recorded before it: where it falls in the audit log
    node: str
    backends: dict[str, tuple[str, ...]]


def _watch_proxies(cluster, seconds: float) -> list[_ProxySync]:
    """Run the cluster for ``seconds``, one instant at a time, noting every kube-proxy sync."""
    clock, proxies = cluster.clock, cluster.kube_proxies
    seen = {node: proxy.service_ports for node, proxy in proxies.items()}
    syncs: list[_ProxySync] = []
    end = clock.now + seconds
    while (when := clock.next_time()) is not None and when <= end:
        clock.run_until(when)
        for node, proxy in proxies.items():
            if proxy.service_ports is not seen[node]:
                seen[node] = proxy.service_ports
                syncs.append(_ProxySync(clock.now, len(cluster.api.audit), node, {
                    info.key: tuple(backend.address for backend in info.cluster_backends)
                    for info in proxy.service_ports}))
    clock.run_until(end)
    return syncs


def follow_apply(cluster, manifest: str | Path, seconds: float = DEFAULT_SECONDS) -> Journey:
    """Apply ``manifest`` (YAML text or a path) with kubectl, let the cluster run ``seconds``
    and return the steps it took, as recorded."""
    started = cluster.now
    try:
        objects = [document.object for document in load_documents(manifest)]
    except ManifestError as error:
        return Journey("apply -f -", f"error: {error}", False, started, started, [])
    api = cluster.api
    snapshots = _Snapshots(api)
    first = len(api.audit)
    result = cluster.kubectl("apply -f -", stdin=yaml.safe_dump_all(objects, sort_keys=False))
    applied = len(api.audit)
    syncs = _watch_proxies(cluster, seconds) if result.ok else []
    snapshots.stop()
    records = api.audit[first:]
    output = (result.stdout + result.stderr).strip()
    steps = _Steps(cluster, snapshots, objects).build(records, first, applied - first,
                                                       syncs)
    snapshots.close()
    return Journey("apply -f -", output, result.ok, started, cluster.now, steps)


# -- from records to steps ------------------------------------------------------------------------


class _Steps:
    """Turns the audit log, the snapshots and kube-proxy's syncs into the journey's steps."""

    def __init__(self, cluster, snapshots: _Snapshots, manifest_objects: list[dict]) -> None:
        self.api = cluster.api
        self.scheduler_name = cluster.scheduler.name
        self.snapshots = snapshots
        self.manifest = {(obj.get("kind"), (obj.get("metadata") or {}).get("name")): obj
                         for obj in manifest_objects}
        self.uids: set[str] = set()
        self.services: set[str] = set()      # namespace/name of the Services concerned
        self.steps: list[Step] = []

    def build(self, records: list[AuditRecord], offset: int, applied: int,
              syncs: list[_ProxySync]) -> list[Step]:
        """Steps from the audit records written from position ``offset`` of the audit log on
        (the first ``applied`` of them by kubectl's apply) and kube-proxy's syncs."""
        relevant = [(index, record) for index, record in enumerate(records)
                    if self._follow(record, by_kubectl=index < applied)]
        pending = iter(syncs)
        sync = next(pending, None)
        last_backends: dict[tuple[str, str], tuple[str, ...]] = {}
        for index, record in relevant:
            while sync is not None and sync.audit_length <= offset + index:
                self._proxy_step(sync, last_backends)
                sync = next(pending, None)
            self._add(record, by_kubectl=index < applied)
        while sync is not None:
            self._proxy_step(sync, last_backends)
            sync = next(pending, None)
        return self.steps

    # -- which records concern the applied objects
    def _follow(self, record: AuditRecord, by_kubectl: bool) -> bool:
        """Whether a write concerns the applied objects; if it does, its object joins them
        (records come in order, so an owner is always known before what it owns)."""
        object_id = (record.kind, record.namespace, record.name)
        obj = self.snapshots.any_state(object_id, record.revision)
        if obj is None:
            return False
        meta = obj["metadata"]
        concerned = (
            (by_kubectl and record.user == self.api.user)
            or any(owner.get("uid") in self.uids for owner in meta.get("ownerReferences") or ())
            or (record.kind == "Event"
                and (obj.get("involvedObject") or {}).get("uid") in self.uids)
            or (record.kind in ("Endpoints", "EndpointSlice") and self._lists_ours(obj))
        )
        if concerned:
            self.uids.add(meta.get("uid", ""))
            if record.kind == "Service":
                self.services.add(f"{record.namespace}/{record.name}")
        return concerned

    def _lists_ours(self, obj: dict) -> bool:
        """An Endpoints or EndpointSlice of one of our Services, or listing one of our pods."""
        meta = obj["metadata"]
        service = (meta.get("labels") or {}).get("kubernetes.io/service-name", meta["name"]
                                                  if obj["kind"] == "Endpoints" else None)
        namespace = meta.get("namespace", "default")
        listed = _target_uids(obj)
        if f"{namespace}/{service}" in self.services or listed & self.uids:
            self.services.add(f"{namespace}/{service}")
            return True
        return False

    # -- steps
    def _add(self, record: AuditRecord, by_kubectl: bool) -> None:
        object_id = (record.kind, record.namespace, record.name)
        name = f"{record.namespace}/{record.name}" if record.namespace else record.name
        if record.kind == "Event":
            self._event(record, object_id)
            return
        actor = self._actor(record.user, by_kubectl)
        last = self.steps[-1] if self.steps else None
        if (last is not None and last.time == record.time and last.actor == actor
                and last.verb == record.verb and last.kind == record.kind and last.writes):
            if name not in last.objects:
                last.objects.append(name)
            last.revisions.append(record.revision)
            if name == last.objects[0]:
                last.changes = self._changes(object_id, last.revisions[0], record, by_kubectl)
            return
        self.steps.append(Step(record.time, actor, record.verb, record.kind, [name],
                               [record.revision],
                               self._changes(object_id, record.revision, record, by_kubectl)))

    def _event(self, record: AuditRecord, object_id: ObjectId) -> None:
        event = self.snapshots.any_state(object_id, record.revision)
        involved = event.get("involvedObject") or {}
        about = f"{involved.get('namespace', 'default')}/{involved.get('name', '')}"
        line = f"{event.get('reason', '')}: {event.get('message', '')}"
        source = event.get("source") or {}
        if record.user == "kubelet" and event.get("reason") in RUNTIME_REASONS:
            actor = Actor(RUNTIME, "kubelet → CRI", source.get("host"))
        else:
            actor = self._actor(record.user, by_kubectl=False, host=source.get("host"))
        if actor.component == RUNTIME:
            last = self.steps[-1] if self.steps else None
            if (last is not None and last.actor == actor and last.time == record.time
                    and last.objects == [about]):
                last.said.append(line)
            else:
                self.steps.append(Step(record.time, actor, "run", involved.get("kind", ""),
                                       [about], said=[line]))
            return
        for step in reversed(self.steps):
            if step.actor == actor:
                step.said.append(line)
                return
        self.steps.append(Step(record.time, actor, "record event", involved.get("kind", ""),
                               [about], said=[line]))

    def _actor(self, user: str, by_kubectl: bool, host: str | None = None) -> Actor:
        """The component behind an audit user (or an event's reporting component)."""
        if by_kubectl and user == self.api.user:
            return Actor(KUBECTL, user)
        if user.startswith("system:node:"):
            return Actor(KUBELET, "kubelet", user.removeprefix("system:node:"))
        if user == "kubelet":
            return Actor(KUBELET, "kubelet", host)
        if user in (self.scheduler_name, f"system:{self.scheduler_name}"):
            return Actor(SCHEDULER, self.scheduler_name)
        if user == cloud.COMPONENT:
            return Actor(CLOUD_CONTROLLER_MANAGER, user)
        if user.endswith("-controller") or user in CONTROLLER_MANAGER_LOOPS:
            return Actor(CONTROLLER_MANAGER, user)
        return Actor(None, user)

    def _changes(self, object_id: ObjectId, first: int, record: AuditRecord,
                 by_kubectl: bool) -> list[Change]:
        before = self.snapshots.as_of(object_id, first - 1)
        delivered = self.snapshots.delivered(object_id, record.revision)
        after = delivered[1] if delivered is not None else None
        if record.verb == "create" and by_kubectl:
            # What the API server (and kubectl's last-applied annotation) added to the manifest.
            before = self.manifest.get((record.kind, record.name))
        return diff(before, after)

    def _proxy_step(self, sync: _ProxySync,
                    last_backends: dict[tuple[str, str], tuple[str, ...]]) -> None:
        changed = []
        for key, backends in sync.backends.items():
            if key.split(":")[0] not in self.services:
                continue
            previous = last_backends.get((sync.node, key), ABSENT)
            last_backends[(sync.node, key)] = backends
            if previous != backends:
                changed.append(Change(f"{key} → endpoints", list(previous)
                                      if previous is not ABSENT else ABSENT, list(backends)))
        if not changed:
            return
        last = self.steps[-1] if self.steps else None
        if (last is not None and last.actor.component == KUBE_PROXY
                and last.time == sync.time and last.changes == changed):
            last.nodes.append(sync.node)
            return
        services = sorted({change.path.split(" ")[0] for change in changed})
        said = [f"{change.path.split(' ')[0]}: "
                + (", ".join(change.after) if change.after
                   else "no ready endpoint: connections are rejected") for change in changed]
        self.steps.append(Step(sync.time, Actor(KUBE_PROXY, "kube-proxy"), "program", "Service",
                               services, changes=changed, said=said, nodes=[sync.node]))


#: The loops of kube-controller-manager whose names do not end in "-controller".
CONTROLLER_MANAGER_LOOPS = frozenset({"generic-garbage-collector", "root-ca-cert-publisher"})


def _target_uids(obj: dict) -> set[str]:
    """The pod uids an Endpoints or EndpointSlice lists."""
    addresses = [address for subset in obj.get("subsets") or ()
                 for key in ("addresses", "notReadyAddresses")
                 for address in subset.get(key) or ()]
    addresses += obj.get("endpoints") or []
    return {(address.get("targetRef") or {}).get("uid") for address in addresses} - {None}


# -- what changed in an object -------------------------------------------------------------------


def flatten(value: object, path: str = "") -> Iterator[tuple[str, object]]:
    """Every leaf of an object as (path, value), in the object's order.

    List items that have a ``type`` (conditions), a ``name`` (containers, ports) or an ``ip``
    (an Endpoints' addresses) are named by it, as ``status.conditions[Ready].status``, so that
    a list reordered, or an item added in front, changes no other item.
    """
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from flatten(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            label = index
            if isinstance(item, dict):
                label = next((item[key] for key in _ITEM_KEYS if item.get(key)), index)
            yield from flatten(item, f"{path}[{label}]")
    else:
        yield path, value


def diff(before: dict | None, after: dict | None) -> list[Change]:
    """The fields that differ between two states of an object (None: not there).

    Left out as saying nothing: the resourceVersion every write bumps, fields that appear
    empty (``lastProbeTime: null``), the ``type``, ``name`` or ``ip`` of a list item, which its
    path already names (``status.conditions[Ready].type: Ready``), and the fields of a deleted
    object (gone is all there is to say).
    """
    if after is None:
        return []
    old = dict(flatten(before)) if before is not None else {}
    new = dict(flatten(after))
    changes = [Change(path, old.get(path, ABSENT), value) for path, value in new.items()
               if old.get(path, ABSENT) != value and not (path not in old and value is None)]
    changes += [Change(path, value, ABSENT) for path, value in old.items() if path not in new]
    return [change for change in changes
            if not change.path.startswith(_NOISE) and not _names_itself(change)]


def _names_itself(change: Change) -> bool:
    head, _, field_name = change.path.rpartition(".")
    value = change.after if change.after is not ABSENT else change.before
    return field_name in _ITEM_KEYS and head.endswith(f"[{value}]")


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(", ", ": "))
    return text if len(text) <= 60 else text[:57] + "..."


# -- the dashboard -------------------------------------------------------------------------------


def _block(lines: list[str]) -> str:
    return '<div style="font-size:12px; line-height:1.5">' + "<br>".join(lines) + "</div>"


class RequestJourney(Dashboard):
    """Step through one ``kubectl apply`` on the anatomy picture, as the cluster processed it.

    ``RequestJourney(cluster, manifest)`` applies ``manifest`` to ``cluster`` and lets it run
    ``seconds``; then the slider, *Previous* and *Next* walk the recorded steps.
    """

    def __init__(self, cluster, manifest: str | Path, seconds: float = DEFAULT_SECONDS) -> None:
        super().__init__(cluster)
        self.journey = follow_apply(cluster, manifest, seconds)
        steps = len(self.journey.steps)
        self.figure = go.FigureWidget(anatomy(cluster, self._highlight(1)))
        self.step = widgets.IntSlider(value=1 if steps else 0, min=1 if steps else 0,
                                      max=steps, description="step", disabled=not steps,
                                      continuous_update=False,
                                      layout=widgets.Layout(width="520px"))
        self.previous_button = self.button("◀ Previous", self.previous, "the step before")
        self.next_button = self.button("Next ▶", self.next, "the step after")
        self.details = widgets.HTML()
        self.route = widgets.HTML()
        self.on_change(self.step, redraw=True)
        self.children = (widgets.HBox([self.previous_button, self.step, self.next_button]),
                         self.message, self.figure, self.details, self.route)
        if self.journey.ok:
            self.tell(f"$ kubectl {self.journey.command}\n{self.journey.output}\n"
                      f"{steps} steps recorded from t = {self.journey.started:g} s to "
                      f"t = {self.journey.ended:g} s")
        else:
            self.warn(f"$ kubectl {self.journey.command}\n{self.journey.output}")
        self.redraw()

    @property
    def current(self) -> Step | None:
        """The step shown."""
        return self.journey.steps[self.step.value - 1] if self.journey.steps else None

    def next(self) -> None:
        if self.step.value >= self.step.max:
            raise ValueError("This is the last step recorded.")
        self.step.value += 1

    def previous(self) -> None:
        if self.step.value <= self.step.min:
            raise ValueError("This is the first step.")
        self.step.value -= 1

    def redraw(self) -> None:
        anatomy_patch(self.cluster, self._highlight(self.step.value)).apply_to(self.figure)
        self.details.value = self._details()
        self.route.value = self._route()

    def _highlight(self, number: int) -> list[str]:
        steps = self.journey.steps
        return steps[number - 1].highlight if 0 < number <= len(steps) else []

    def _details(self) -> str:
        step = self.current
        if step is None:
            return "<i>Nothing was applied, so there is no journey to show.</i>"
        lines = [f"<b>Step {self.step.value} of {self.step.max} · t = {step.time:g} s · "
                 f"{html.escape(step.headline)}</b>"]
        if step.revisions:
            revisions = ", ".join(str(r) for r in step.revisions)
            lines.append(f"written through kube-apiserver to etcd as revision {revisions}")
        if step.actor.component == KUBE_PROXY:
            lines.append("kube-proxy writes nothing to the API server: it watched the "
                         "EndpointSlices and reprogrammed each node's rules, which now send")
            lines += [f"&nbsp;&nbsp;{html.escape(line)}" for line in step.said]
            return _block(lines)
        if step.actor.component == KUBECTL and step.verb == "create":
            lines.append("fields filled in on the way in (kubectl's last-applied annotation, "
                         "the API server's metadata and defaults):")
        elif step.changes:
            lines.append("what changed in the object:")
        shown = step.changes[:SHOWN_CHANGES]
        lines += [f"&nbsp;&nbsp;{html.escape(str(change))}" for change in shown]
        if len(step.changes) > SHOWN_CHANGES:
            lines.append(f"&nbsp;&nbsp;... and {len(step.changes) - SHOWN_CHANGES} more fields")
        if step.verb == "delete":
            lines.append("&nbsp;&nbsp;removed from etcd: watchers are told it is gone")
        elif step.writes and not step.changes:
            lines.append("&nbsp;&nbsp;(no change to show: the write changed nothing the watch "
                         "could see, or the same component wrote the object again in the same "
                         "instant before the watch delivered it)")
        if step.said:
            lines.append("events recorded:")
            lines += [f"&nbsp;&nbsp;{html.escape(line)}" for line in step.said]
        return _block(lines)

    def _route(self) -> str:
        """The steps around the current one, the current one marked."""
        steps, number = self.journey.steps, self.step.value
        if not steps:
            return ""
        first, last = max(1, number - 4), min(len(steps), number + 4)
        rows = []
        for n in range(first, last + 1):
            step = steps[n - 1]
            text = f"{n:>3}. t = {step.time:<6g} {html.escape(step.headline)}"
            rows.append(f"<b>▶ {text}</b>" if n == number else f"&nbsp;&nbsp;{text}")
        return ('<div style="font-family:monospace; font-size:12px; white-space:pre">'
                + "<br>".join(rows) + "</div>")

    def __repr__(self) -> str:
        journey = self.journey
        if not journey.steps:
            return f"RequestJourney: nothing was applied; {RUN_IT}"
        return (f"RequestJourney: {len(journey.steps)} steps from {journey.components[0]} to "
                f"{journey.components[-1]} in {journey.ended - journey.started:g} s; {RUN_IT}")
