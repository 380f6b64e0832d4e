"""The node lifecycle controller: notice nodes that stop reporting, and taint them.

Source: ``pkg/controller/nodelifecycle/node_lifecycle_controller.go`` (monitorNodeHealth,
tryUpdateNodeHealth, processTaintBaseEviction, doNoScheduleTaintingPass,
doNoExecuteTaintingPass, handleDisruption) and ``pkg/controller/util/node/controller_utils.go``
(MarkPodsNotReady, RecordNodeStatusChange); docs ``concepts/architecture/nodes.md`` (Node
heartbeats, Rate limits on eviction) and ``taint-and-toleration.md`` (Taint based evictions).

Every kubelet renews its Lease in ``kube-node-lease`` every 10 s. Every
``nodeMonitorPeriod`` (5 s) this controller looks at each node; when neither the Lease nor the
node's Ready condition has moved for ``nodeMonitorGracePeriod`` (50 s, the default since v1.32;
40 s before) it writes the node's conditions as Unknown (``NodeStatusUnknown``, ``Kubelet stopped
posting node status.``), records ``NodeNotReady`` and turns the Ready condition of the node's pods
to False, which takes them out of Service endpoints. Then it taints the node:

- ``node.kubernetes.io/unreachable:NoSchedule`` at once (TaintNodesByCondition), so the
  scheduler places nothing new there;
- ``node.kubernetes.io/unreachable:NoExecute`` on its next pass, rate limited per zone
  (0.1 node/s; none at all when more than 2 nodes and at least 55 % of a zone of at most 50
  nodes are down — a network partition is more likely than that many dead machines — and when
  every node of the cluster is down). The taint-eviction controller then evicts the pods once
  their toleration of that taint (300 s by default) runs out.

When the kubelet reports again, its Ready condition is True and both taints go. A node whose
kubelet reports Ready False gets the ``node.kubernetes.io/not-ready`` taints instead, and a
cordoned node (``spec.unschedulable``) ``node.kubernetes.io/unschedulable:NoSchedule``.
"""

from __future__ import annotations

from dataclasses import dataclass

from k8skit.api.events import EventRecorder
from k8skit.api.meta import seconds_of, timestamp
from k8skit.api.server import APIServer
from k8skit.clock import Clock, Timer
from k8skit.control_plane.controllers.controller_utils import pod_condition
from k8skit.control_plane.controllers.informer import SharedInformerFactory
from k8skit.control_plane.controllers.workqueue import WorkQueue

COMPONENT = "node-controller"
NODE_LEASE_NAMESPACE = "kube-node-lease"

# kube-controller-manager defaults (pkg/controller/nodelifecycle/config/v1alpha1/defaults.go and
# cmd/kube-controller-manager/app/options/nodelifecyclecontroller.go).
NODE_MONITOR_PERIOD = 5.0
NODE_MONITOR_GRACE_PERIOD = 50.0  # v1.32+; 40 s before
NODE_STARTUP_GRACE_PERIOD = 60.0
EVICTION_LIMITER_QPS = 0.1
SECONDARY_EVICTION_LIMITER_QPS = 0.01
LARGE_CLUSTER_THRESHOLD = 50
UNHEALTHY_ZONE_THRESHOLD = 0.55

UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
EXCLUDE_DISRUPTION_LABEL = "node.kubernetes.io/exclude-disruption"

# Node condition -> status -> the NoSchedule taint it brings (nodeConditionToTaintKeyStatusMap).
CONDITION_TAINTS = {
    "Ready": {"False": NOT_READY, "Unknown": UNREACHABLE},
    "MemoryPressure": {"True": "node.kubernetes.io/memory-pressure"},
    "DiskPressure": {"True": "node.kubernetes.io/disk-pressure"},
    "NetworkUnavailable": {"True": "node.kubernetes.io/network-unavailable"},
    "PIDPressure": {"True": "node.kubernetes.io/pid-pressure"},
}
_CONDITION_TAINT_KEYS = {key for by_status in CONDITION_TAINTS.values()
                         for key in by_status.values()}
# The conditions turned Unknown when the kubelet goes quiet (NetworkUnavailable is left alone).
_CONDITIONS_MARKED_UNKNOWN = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")

INITIAL, NORMAL, FULL_DISRUPTION, PARTIAL_DISRUPTION = (
    "Initial", "Normal", "FullDisruption", "PartialDisruption")


@dataclass
class _NodeHealth:
    """What the controller last saw of a node (nodeHealthData)."""

    ready: dict | None
    probe_timestamp: float
    ready_transition_timestamp: float
    lease_renew_time: str | None = None


class _TaintQueue:
    """The per-zone queue of nodes waiting for their NoExecute taint, drained under a token
    bucket (RateLimitedTimedQueue with a TokenBucketRateLimiter of burst 1)."""

    def __init__(self, clock: Clock, qps: float, process) -> None:
        self.clock = clock
        self.qps = qps
        self._tokens = 1.0
        self._last = clock.now
        self._process = process
        self._nodes: dict[str, None] = {}
        self._retry: Timer | None = None

    def add(self, name: str) -> bool:
        if name in self._nodes:
            return False
        self._nodes[name] = None
        self.clock.call_soon(self.drain)
        return True

    def remove(self, name: str) -> None:
        self._nodes.pop(name, None)

    def swap_limiter(self, qps: float) -> None:
        """Change the rate (SwapLimiter): a fresh bucket starts full unless the old one had no
        token to give; a rate of 0 never lets a node through."""
        if qps == self.qps:
            return
        had_token = self._try_accept()
        self.qps = qps
        self._last = self.clock.now
        self._tokens = 1.0 if qps > 0 and had_token else 0.0
        self.clock.call_soon(self.drain)

    def _try_accept(self) -> bool:
        if self.qps <= 0:
            return False
        now = self.clock.now
        self._tokens = min(1.0, self._tokens + (now - self._last) * self.qps)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False

    def drain(self) -> None:
        while self._nodes:
            if not self._try_accept():
                if self.qps > 0 and (self._retry is None or self._retry.cancelled):
                    wait = (1.0 - self._tokens) / self.qps
                    self._retry = self.clock.call_later(wait, self._retried)
                return
            name = next(iter(self._nodes))
            del self._nodes[name]
            self._process(name)

    def _retried(self) -> None:
        self._retry = None
        self.drain()


def node_condition(node: dict, type_: str) -> dict | None:
    for cond in node.get("status", {}).get("conditions") or ():
        if cond.get("type") == type_:
            return cond
    return None


def _snapshot(condition: dict | None) -> dict | None:
    """A copy of a condition that later writes to the node cannot change."""
    return dict(condition) if condition is not None else None


def zone_key(node: dict) -> str:
    """The failure zone a node belongs to (nodetopology.GetZoneKey)."""
    labels = node["metadata"].get("labels") or {}
    zone = labels.get("failure-domain.beta.kubernetes.io/zone",
                      labels.get("topology.kubernetes.io/zone", ""))
    region = labels.get("failure-domain.beta.kubernetes.io/region",
                        labels.get("topology.kubernetes.io/region", ""))
    return "" if not region and not zone else f"{region}:\x00:{zone}"


def _has_taint(node: dict, key: str, effect: str) -> bool:
    return any(t.get("key") == key and t.get("effect") == effect
               for t in node["spec"].get("taints") or ())


class NodeLifecycleController:
    """Marks silent nodes Unknown, taints unhealthy nodes, and records node events."""

    def __init__(self, api: APIServer, clock: Clock, informers: SharedInformerFactory) -> None:
        self.api = api
        self.clock = clock
        self.recorder = EventRecorder(api, COMPONENT)
        self.nodes = informers.informer("Node")
        self.no_schedule_queue = WorkQueue(clock, self._no_schedule_tainting_pass)
        self.nodes.add_handler(self._node_changed)
        self._known: set[str] = set()
        self._health: dict[str, _NodeHealth] = {}
        self._zone_states: dict[str, str] = {}
        self._tainters: dict[str, _TaintQueue] = {}
        self._monitor_timer: Timer | None = None

    def start(self) -> None:
        """Begin monitoring: now, then every ``nodeMonitorPeriod``."""
        if self._monitor_timer is None:
            self._monitor_timer = self.clock.call_soon(self._monitor)

    def _monitor(self) -> None:
        self.monitor_node_health()
        self._monitor_timer = self.clock.call_later(NODE_MONITOR_PERIOD, self._monitor)

    def _node_changed(self, event_type: str, node: dict) -> None:
        if event_type != "DELETED":
            self.no_schedule_queue.add(node["metadata"]["name"])

    # -- monitorNodeHealth ----------------------------------------------------------------------
    def monitor_node_health(self) -> None:
        nodes = sorted(self.nodes.list(), key=lambda n: n["metadata"]["name"])
        names = {n["metadata"]["name"] for n in nodes}
        for node in nodes:
            name = node["metadata"]["name"]
            if name not in self._known:
                self._known.add(name)
                self._node_event(node, "RegisteredNode", f"Registered Node {name} in Controller")
                self._tainter(node)
        for name in sorted(self._known - names):
            self._known.discard(name)
            self._health.pop(name, None)
            self.recorder.event({"apiVersion": "v1", "kind": "Node",
                                 "metadata": {"name": name, "uid": ""}}, "Normal",
                                "RemovingNode",
                                f"Node {name} event: Removing Node {name} from Controller")
        zone_conditions: dict[str, list[dict | None]] = {}
        for node in nodes:
            observed, current = self._try_update_node_health(node)
            labels = node["metadata"].get("labels") or {}
            if EXCLUDE_DISRUPTION_LABEL not in labels:
                zone_conditions.setdefault(zone_key(node), []).append(current)
            if current is None:
                continue
            self._process_taint_based_eviction(node, observed)
            if current["status"] != "True" and observed["status"] == "True":
                name = node["metadata"]["name"]
                self.recorder.event(node, "Normal", "NodeNotReady",
                                    f"Node {name} status is now: NodeNotReady")
                self._mark_pods_not_ready(name)
        self._handle_disruption(zone_conditions, nodes)

    def _tainter(self, node: dict) -> _TaintQueue:
        return self._zone_tainter(zone_key(node))

    def _zone_tainter(self, zone: str) -> _TaintQueue:
        """The NoExecute taint queue of a zone, made when the zone is first seen."""
        if zone not in self._tainters:
            self._zone_states.setdefault(zone, INITIAL)
            self._tainters[zone] = _TaintQueue(self.clock, EVICTION_LIMITER_QPS,
                                               self._no_execute_taint)
        return self._tainters[zone]

    def _node_event(self, node: dict, reason: str, event: str) -> None:
        name = node["metadata"]["name"]
        self.recorder.event(node, "Normal", reason, f"Node {name} event: {event}")

    def _try_update_node_health(self, node: dict) -> tuple[dict, dict | None]:
        """Update what we know of the node's heartbeat; mark its conditions Unknown when the
        kubelet has been silent for the grace period. Returns (observed, current) Ready."""
        now = self.clock.now
        name = node["metadata"]["name"]
        health = self._health.get(name)
        current = node_condition(node, "Ready")
        if current is None:
            meta_created = node["metadata"].get("creationTimestamp")
            if "creationTimestamp" not in node["metadata"]:
                meta_created = timestamp(now)
            observed = {"type": "Ready", "status": "Unknown", "lastHeartbeatTime": meta_created,
                        "lastTransitionTime": meta_created}
            grace = NODE_STARTUP_GRACE_PERIOD
            if health is None:
                created = seconds_of(meta_created)
                health = _NodeHealth(None, created, created)
        else:
            # A condition is a flat mapping of strings: a shallow copy is a full snapshot.
            observed = dict(current)
            grace = NODE_MONITOR_GRACE_PERIOD
        saved = health.ready if health is not None else None
        if health is None or (saved is None) != (current is None):
            health = _NodeHealth(_snapshot(current), now, now)
        elif saved is not None and saved.get("lastHeartbeatTime") != current.get(
                "lastHeartbeatTime"):
            transition = (now if saved.get("lastTransitionTime") != current.get(
                "lastTransitionTime") else health.ready_transition_timestamp)
            health = _NodeHealth(observed, now, transition)
        lease = self.api.try_get("Lease", name, NODE_LEASE_NAMESPACE)
        renew = (lease or {}).get("spec", {}).get("renewTime")
        if renew is not None and renew != health.lease_renew_time:
            health.lease_renew_time = renew
            health.probe_timestamp = now
        self._health[name] = health
        if now > health.probe_timestamp + grace:
            self._mark_conditions_unknown(node, now)
            current = node_condition(node, "Ready")
            if current != observed:
                self.api.update_status(node, user=COMPONENT)
                health.ready = _snapshot(current)
                health.ready_transition_timestamp = now
        return observed, current

    def _mark_conditions_unknown(self, node: dict, now: float) -> None:
        conditions = node.setdefault("status", {}).setdefault("conditions", [])
        for type_ in _CONDITIONS_MARKED_UNKNOWN:
            cond = node_condition(node, type_)
            if cond is None:
                conditions.append({
                    "type": type_, "status": "Unknown", "reason": "NodeStatusNeverUpdated",
                    "message": "Kubelet never posted node status.",
                    "lastHeartbeatTime": node["metadata"].get("creationTimestamp"),
                    "lastTransitionTime": timestamp(now)})
            elif cond.get("status") != "Unknown":
                cond.update({"status": "Unknown", "reason": "NodeStatusUnknown",
                             "message": "Kubelet stopped posting node status.",
                             "lastTransitionTime": timestamp(now)})

    def _mark_pods_not_ready(self, node_name: str) -> None:
        """Set the Ready condition of every pod on the node to False (MarkPodsNotReady)."""
        now = timestamp(self.clock.now)
        for pod in self.api.pods_on_node(node_name):
            ready = pod_condition(pod, "Ready")
            if ready is None or ready.get("status") == "False":
                continue
            ready["status"] = "False"
            ready["lastTransitionTime"] = now
            self.api.update_status(pod, user=COMPONENT)
            self.recorder.event(pod, "Warning", "NodeNotReady", "Node is not ready")

    # -- NoExecute taints, rate limited per zone ------------------------------------------------
    def _process_taint_based_eviction(self, node: dict, observed: dict) -> None:
        status = observed["status"]
        tainter = self._tainter(node)
        if status == "False":
            if _has_taint(node, UNREACHABLE, "NoExecute"):
                self._swap_taints(node, [(NOT_READY, "NoExecute")], [(UNREACHABLE, "NoExecute")])
            else:
                tainter.add(node["metadata"]["name"])
        elif status == "Unknown":
            if _has_taint(node, NOT_READY, "NoExecute"):
                self._swap_taints(node, [(UNREACHABLE, "NoExecute")], [(NOT_READY, "NoExecute")])
            else:
                tainter.add(node["metadata"]["name"])
        elif status == "True":
            self._mark_node_as_reachable(node)

    def _mark_node_as_reachable(self, node: dict) -> None:
        self._swap_taints(node, [], [(UNREACHABLE, "NoExecute"), (NOT_READY, "NoExecute")])
        self._tainter(node).remove(node["metadata"]["name"])

    def _no_execute_taint(self, name: str) -> None:
        """doNoExecuteTaintingPass for one node: unreachable or not-ready, never both."""
        node = self.api.try_get("Node", name, None)
        ready = node_condition(node, "Ready") if node is not None else None
        if ready is None:
            return
        if ready["status"] == "False":
            self._swap_taints(node, [(NOT_READY, "NoExecute")], [(UNREACHABLE, "NoExecute")])
        elif ready["status"] == "Unknown":
            self._swap_taints(node, [(UNREACHABLE, "NoExecute")], [(NOT_READY, "NoExecute")])

    def _handle_disruption(self, zone_conditions: dict[str, list[dict | None]],
                           nodes: list[dict]) -> None:
        """Slow down or stop NoExecute tainting when a large part of a zone is down."""
        new_states = {zone: _zone_state(conds) for zone, conds in zone_conditions.items()}
        for zone in new_states:
            self._zone_states.setdefault(zone, INITIAL)
        for zone in [z for z in self._zone_states if z not in zone_conditions]:
            del self._zone_states[zone]
        all_are_down = all(s == FULL_DISRUPTION for s in new_states.values())
        all_were_down = all(s == FULL_DISRUPTION for s in self._zone_states.values())
        if all_are_down and all_were_down:
            return
        if all_are_down:
            # Every node down: more likely the control plane lost the network. Evict nothing.
            for node in nodes:
                self._mark_node_as_reachable(node)
            for zone in self._zone_states:
                self._zone_tainter(zone).swap_limiter(0)
                self._zone_states[zone] = FULL_DISRUPTION
            return
        if all_were_down:
            now = self.clock.now
            for health in self._health.values():
                health.probe_timestamp = health.ready_transition_timestamp = now
            for zone in self._zone_states:
                self._set_limiter(zone, len(zone_conditions[zone]), new_states[zone])
                self._zone_states[zone] = new_states[zone]
            return
        for zone, state in list(self._zone_states.items()):
            if state != new_states[zone]:
                self._set_limiter(zone, len(zone_conditions[zone]), new_states[zone])
                self._zone_states[zone] = new_states[zone]

    def _set_limiter(self, zone: str, size: int, state: str) -> None:
        if state == PARTIAL_DISRUPTION:
            qps = SECONDARY_EVICTION_LIMITER_QPS if size > LARGE_CLUSTER_THRESHOLD else 0.0
        else:
            qps = EVICTION_LIMITER_QPS
        self._zone_tainter(zone).swap_limiter(qps)

    # -- NoSchedule taints from conditions (TaintNodesByCondition) ------------------------------
    def _no_schedule_tainting_pass(self, name: str) -> None:
        node = self.api.try_get("Node", name, None)
        if node is None:
            return
        wanted = []
        for cond in node.get("status", {}).get("conditions") or ():
            key = CONDITION_TAINTS.get(cond.get("type"), {}).get(cond.get("status"))
            if key is not None:
                wanted.append((key, "NoSchedule"))
        if node["spec"].get("unschedulable"):
            wanted.append((UNSCHEDULABLE, "NoSchedule"))
        present = [(t.get("key"), t.get("effect")) for t in node["spec"].get("taints") or ()
                   if t.get("effect") == "NoSchedule"
                   and (t.get("key") == UNSCHEDULABLE or t.get("key") in _CONDITION_TAINT_KEYS)]
        to_add = [t for t in wanted if t not in present]
        to_remove = [t for t in present if t not in wanted]
        if to_add or to_remove:
            self._swap_taints(node, to_add, to_remove)

    def _swap_taints(self, node: dict, add: list[tuple[str, str]],
                     remove: list[tuple[str, str]]) -> None:
        """Add and remove controller taints in one update (SwapNodeControllerTaint); added
        taints carry ``timeAdded``."""
        taints = node["spec"].get("taints") or []
        kept = [t for t in taints if (t.get("key"), t.get("effect")) not in remove]
        present = {(t.get("key"), t.get("effect")) for t in kept}
        added = [{"key": key, "effect": effect, "timeAdded": timestamp(self.clock.now)}
                 for key, effect in add if (key, effect) not in present]
        if len(kept) == len(taints) and not added:
            return
        new_taints = kept + added
        if new_taints:
            node["spec"]["taints"] = new_taints
        else:
            node["spec"].pop("taints", None)
        self.api.update(node, user=COMPONENT)


def _zone_state(conditions: list[dict | None]) -> str:
    """ComputeZoneState: all down, most down, or normal."""
    ready = sum(1 for c in conditions if c is not None and c.get("status") == "True")
    not_ready = len(conditions) - ready
    if ready == 0 and not_ready > 0:
        return FULL_DISRUPTION
    if not_ready > 2 and not_ready / len(conditions) >= UNHEALTHY_ZONE_THRESHOLD:
        return PARTIAL_DISRUPTION
    return NORMAL
