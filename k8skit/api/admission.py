"""Admission plugins that change a new object before it is validated and stored.

A real API server runs a chain of admission plugins after defaulting (``--enable-admission-
plugins``). The simulator runs the ones whose effect a learner can see in ``kubectl get -o
yaml`` or ``describe``; each is a function ``admit(api, obj)`` that may change ``obj``.
"""

from __future__ import annotations

# The two built-in PriorityClasses every cluster has (pkg/apis/scheduling/types.go:
# SystemCriticalPriority = 2000000000; system-node-critical adds 1000).
SYSTEM_PRIORITY_CLASSES = {
    "system-cluster-critical": 2000000000,
    "system-node-critical": 2000001000,
}


def admit_priority(api, obj: dict) -> None:
    """The Priority plugin (plugin/pkg/admission/priority): a pod that names a built-in
    ``priorityClassName`` gets its number in ``spec.priority``.

    The simulator serves no PriorityClass objects, so other class names are left as they are
    and the pod keeps priority 0; the project's fidelity notes say so.
    """
    if obj.get("kind") != "Pod":
        return
    spec = obj.get("spec") or {}
    value = SYSTEM_PRIORITY_CLASSES.get(spec.get("priorityClassName", ""))
    if value is not None:
        spec["priority"] = value
