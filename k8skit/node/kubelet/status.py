"""The pod status the kubelet writes: container states, phase and conditions.

What ``kubectl get pod -o yaml`` shows under ``status`` comes from here:

- each container's state: ``waiting`` (with a reason such as ContainerCreating, PodInitializing,
  ErrImagePull, CrashLoopBackOff), ``running`` (since ``startedAt``) or ``terminated`` (exit
  code, reason Completed / Error / OOMKilled); ``lastState`` holds the previous attempt's end;
  ``restartCount``, ``started`` and ``ready``;
- the phase, worked out from those states and ``restartPolicy`` (``getPhase``): Pending until
  every init container succeeded and every container was started, Running while one runs or
  will be restarted, Succeeded when all exited with 0, Failed when one failed for good;
- the conditions PodReadyToStartContainers, Initialized, Ready, ContainersReady and
  PodScheduled, with upstream's reasons (``containers with unready status: [nginx]``).

Native sidecars (init containers with ``restartPolicy: Always``) are not modelled: every init
container runs to completion before the next.

Sources: ``pkg/kubelet/kubelet_pods.go`` (``getPhase``, ``convertToAPIContainerStatuses``),
``pkg/kubelet/status/generate.go`` (conditions), ``docs/concepts/workloads/pods/pod-lifecycle.md``.
"""

from __future__ import annotations

from k8skit.api.meta import timestamp

# Default waiting reasons of a container that has not been created yet.
CONTAINER_CREATING = "ContainerCreating"
POD_INITIALIZING = "PodInitializing"

# Condition reasons (pkg/kubelet/status/generate.go).
CONTAINERS_NOT_READY = "ContainersNotReady"
CONTAINERS_NOT_INITIALIZED = "ContainersNotInitialized"
POD_COMPLETED = "PodCompleted"
POD_FAILED = "PodFailed"

# The conditions the kubelet owns and regenerates on every status update.
KUBELET_CONDITIONS = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                      "PodScheduled")


def should_restart(restart_policy: str, exit_code: int) -> bool:
    """Whether an exited container is started again (ShouldContainerBeRestarted)."""
    if restart_policy == "Never":
        return False
    if restart_policy == "OnFailure":
        return exit_code != 0
    return True


def pod_phase(pod: dict, init_statuses: list[dict], statuses: list[dict],
              terminal: bool) -> str:
    """The pod's phase from its container statuses (getPhase in kubelet_pods.go)."""
    restart_policy = pod["spec"].get("restartPolicy", "Always")
    pending_init = failed_init = 0
    for status in init_statuses:
        state, last = status["state"], status.get("lastState") or {}
        if "terminated" in state:
            if state["terminated"]["exitCode"] != 0:
                failed_init += 1
        elif "waiting" in state and "terminated" in last:
            if last["terminated"]["exitCode"] != 0:
                failed_init += 1
        else:
            pending_init += 1
    if failed_init and restart_policy == "Never":
        return "Failed"
    running = waiting = stopped = succeeded = 0
    for status in statuses:
        state, last = status["state"], status.get("lastState") or {}
        if "running" in state:
            running += 1
        elif "terminated" in state:
            stopped += 1
            succeeded += state["terminated"]["exitCode"] == 0
        elif "terminated" in last:
            stopped += 1
        else:
            waiting += 1
    if pending_init or waiting:
        return "Pending"
    if running:
        return "Running"
    if stopped:
        if terminal:
            return "Succeeded" if stopped == succeeded else "Failed"
        if restart_policy == "Always":
            return "Running"
        if stopped == succeeded:
            return "Succeeded"
        return "Failed" if restart_policy == "Never" else "Running"
    return "Pending"


def pod_conditions(pod: dict, phase: str, init_statuses: list[dict], statuses: list[dict],
                   sandbox_ready: bool, now: float) -> list[dict]:
    """The pod's conditions: others' kept as they are, the kubelet's regenerated.

    ``lastTransitionTime`` moves only when a condition's status flips, as the status manager
    does (``updateLastTransitionTime``).
    """
    old = {c["type"]: c for c in (pod.get("status") or {}).get("conditions") or []}
    kept = [c for c in old.values() if c["type"] not in KUBELET_CONDITIONS]
    containers_ready = _containers_ready(phase, statuses)
    generated = [
        ("PodReadyToStartContainers", "True" if sandbox_ready else "False", None, None),
        _initialized(phase, init_statuses, statuses),
        ("Ready", *containers_ready[1:]),
        containers_ready,
        ("PodScheduled", "True", None, None),
    ]
    conditions = list(kept)
    for cond_type, status, reason, message in generated:
        previous = old.get(cond_type)
        transition = (previous["lastTransitionTime"]
                      if previous and previous["status"] == status else timestamp(now))
        cond = {"lastProbeTime": None, "lastTransitionTime": transition, "status": status,
                "type": cond_type}
        if reason:
            cond["reason"] = reason
        if message:
            cond["message"] = message
        conditions.append(cond)
    return conditions


def _containers_ready(phase: str, statuses: list[dict]) -> tuple:
    if phase == "Succeeded":
        return ("ContainersReady", "False", POD_COMPLETED, None)
    if phase == "Failed":
        return ("ContainersReady", "False", POD_FAILED, None)
    unready = [s["name"] for s in statuses if not s["ready"]]
    if unready:
        return ("ContainersReady", "False", CONTAINERS_NOT_READY,
                f"containers with unready status: [{' '.join(unready)}]")
    return ("ContainersReady", "True", None, None)


def _initialized(phase: str, init_statuses: list[dict], statuses: list[dict]) -> tuple:
    if phase == "Succeeded":
        return ("Initialized", "True", POD_COMPLETED, None)
    if any("waiting" not in s["state"] or s.get("lastState") for s in statuses):
        # A regular container has started: the pod was initialized before.
        return ("Initialized", "True", None, None)
    incomplete = [s["name"] for s in init_statuses if not s["ready"]]
    if incomplete:
        return ("Initialized", "False", CONTAINERS_NOT_INITIALIZED,
                f"containers with incomplete status: [{' '.join(incomplete)}]")
    return ("Initialized", "True", None, None)
