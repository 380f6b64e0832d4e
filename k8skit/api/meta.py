"""Object metadata helpers: timestamps, owner references, generated names, conditions.

Simulated time is seconds since the cluster started. Objects carry RFC 3339 timestamps like a
real API server's (``creationTimestamp: "2026-01-01T00:00:05Z"``); the cluster's epoch is fixed,
so the same run always prints the same timestamps.
"""

from __future__ import annotations

import functools
import json
import random
from datetime import datetime, timedelta, timezone

EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)

# Generated name suffixes avoid vowels and look-alike characters so that they never spell words
# (staging/src/k8s.io/apimachinery/pkg/util/rand/rand.go: alphanums).
SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def timestamp(seconds: float) -> str:
    """The RFC 3339 timestamp of simulated second ``seconds`` (whole seconds, as metav1.Time)."""
    return _timestamp_of_second(int(seconds))


@functools.lru_cache(maxsize=4096)
def _timestamp_of_second(second: int) -> str:
    # Components stamp many objects in the same second: format each second once.
    return (EPOCH + timedelta(seconds=second)).strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.lru_cache(maxsize=8192)
def seconds_of(ts: str) -> float:
    """Simulated seconds of an RFC 3339 timestamp: metav1.Time (``…:05Z``) or MicroTime
    (``…:05.250000Z``, as a Lease's ``renewTime``). Remembered: controllers read the same
    few timestamps (a condition's, a pod's start) over and over."""
    layout = "%Y-%m-%dT%H:%M:%S.%fZ" if "." in ts else "%Y-%m-%dT%H:%M:%SZ"
    moment = datetime.strptime(ts, layout).replace(tzinfo=timezone.utc)
    return (moment - EPOCH).total_seconds()


def canonical_json(value: object) -> str:
    """``value`` as one canonical text: keys sorted, no spaces. Components change stored objects
    in place, so a text is the cheapest snapshot of one to keep and compare, and a stable key
    for remembering what was worked out from it (raises TypeError for what JSON cannot hold)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def random_suffix(rng: random.Random, length: int = 5) -> str:
    """A generated-name suffix such as ``x7k2p``, drawn from the seeded ``rng``."""
    return "".join(rng.choice(SUFFIX_ALPHABET) for _ in range(length))


def owner_reference(owner: dict, controller: bool = True) -> dict:
    """The ``metadata.ownerReferences`` entry that makes ``owner`` responsible for an object."""
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": controller,
        "blockOwnerDeletion": True,
    }


def controller_of(obj: dict) -> dict | None:
    """The owner reference marked ``controller: true``, if any (metav1.GetControllerOf)."""
    for ref in obj["metadata"].get("ownerReferences", ()):
        if ref.get("controller"):
            return ref
    return None


def condition(type_: str, status: str, now: float, reason: str | None = None,
              message: str | None = None) -> dict:
    """A status condition as the API shows it (``lastTransitionTime`` in simulated time)."""
    cond = {"type": type_, "status": status, "lastTransitionTime": timestamp(now)}
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond


def get_condition(obj: dict, type_: str) -> dict | None:
    for cond in obj.get("status", {}).get("conditions", ()):
        if cond["type"] == type_:
            return cond
    return None


def set_condition(obj: dict, new: dict) -> bool:
    """Put ``new`` in ``status.conditions``; keep the old transition time if the status held.

    Returns True when anything changed. Controllers only move ``lastTransitionTime`` when the
    condition's status flips, as upstream does, so "how long has this been true" stays readable.
    """
    conditions = obj.setdefault("status", {}).setdefault("conditions", [])
    for i, old in enumerate(conditions):
        if old["type"] != new["type"]:
            continue
        if old["status"] == new["status"]:
            new = {**new, "lastTransitionTime": old["lastTransitionTime"]}
        if old == new:
            return False
        conditions[i] = new
        return True
    conditions.append(new)
    return True
