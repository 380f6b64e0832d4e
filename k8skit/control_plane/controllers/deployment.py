"""The Deployment controller: roll a pod template out through ReplicaSets.

Sources: ``pkg/controller/deployment/`` — ``deployment_controller.go`` (syncDeployment),
``sync.go`` (the new ReplicaSet, scaling, status, history clean-up), ``rolling.go``
(RollingUpdate), ``recreate.go`` (Recreate), ``progress.go`` (the Progressing condition and the
progress deadline).

A Deployment never touches pods. It owns one ReplicaSet per pod template it has run, named
``<deployment>-<pod-template-hash>``: the *new* one has the current template, the *old* ones
the previous templates. A rollout only changes ReplicaSets' ``spec.replicas``:

- RollingUpdate grows the new ReplicaSet while the total stays within ``replicas + maxSurge``
  and shrinks the old ones while at least ``replicas - maxUnavailable`` pods stay available.
  For 3 replicas and the defaults (25 % -> maxSurge 1, maxUnavailable 0) the events read: new 1,
  old 2, new 2, old 1, new 3, old 0.
- Recreate scales every old ReplicaSet to 0, waits until their pods are gone, then creates the
  new one at full size.

Every ReplicaSet carries the ``deployment.kubernetes.io/revision`` it was last rolled out as;
``kubectl rollout history`` and ``undo`` read these. Old ReplicaSets beyond
``revisionHistoryLimit`` are deleted once scaled to 0. The Deployment's conditions tell how the
rollout goes: Available (at least ``replicas - maxUnavailable`` pods available) and Progressing
(``NewReplicaSetCreated``, ``ReplicaSetUpdated``, ``NewReplicaSetAvailable``, or
``ProgressDeadlineExceeded`` when nothing moved for ``progressDeadlineSeconds``).
"""

from __future__ import annotations

import copy

from k8skit.api.errors import AlreadyExists, APIError
from k8skit.api.events import EventRecorder
from k8skit.api.labels import Selector
from k8skit.api.meta import controller_of, owner_reference
from k8skit.api.server import APIServer
from k8skit.clock import Clock
from k8skit.control_plane.controllers import deployment_util as util
from k8skit.control_plane.controllers.controller_utils import (
    by_creation,
    claim_objects,
    filter_active_replica_sets,
    is_being_deleted,
    replicas_of,
    sorted_by_size_newer,
    sorted_by_size_older,
)
from k8skit.control_plane.controllers.informer import (
    BY_CONTROLLER_UID,
    ORPHAN,
    SharedInformerFactory,
)
from k8skit.control_plane.controllers.workqueue import WorkQueue

COMPONENT = "deployment-controller"


class DeploymentController:
    """Reconciles every Deployment's ReplicaSets with its template, replicas and strategy."""

    def __init__(self, api: APIServer, clock: Clock, informers: SharedInformerFactory) -> None:
        self.api = api
        self.clock = clock
        self.recorder = EventRecorder(api, COMPONENT)
        self.deployments = informers.informer("Deployment")
        self.replica_sets = informers.informer("ReplicaSet")
        self.pods = informers.informer("Pod")
        self.queue = WorkQueue(clock, self.sync)
        self.deployments.add_handler(self._deployment_changed)
        self.replica_sets.add_handler(self._replica_set_changed)
        self.pods.add_handler(self._pod_changed)

    # -- watch handlers -------------------------------------------------------------------------
    def _deployment_changed(self, event_type: str, deployment: dict) -> None:
        self.queue.add(_key(deployment))

    def _replica_set_changed(self, event_type: str, rs: dict) -> None:
        ref = controller_of(rs)
        if ref is not None:
            if ref.get("kind") == "Deployment":
                owner = self.deployments.by_uid(ref.get("uid", ""))
                if owner is not None:
                    self.queue.add(_key(owner))
            return
        if event_type == "DELETED":
            return
        labels = rs["metadata"].get("labels")
        for deployment in self.deployments.list(rs["metadata"].get("namespace", "default")):
            if Selector.from_label_selector(deployment["spec"].get("selector")).matches(labels):
                self.queue.add(_key(deployment))

    def _pod_changed(self, event_type: str, pod: dict) -> None:
        """A Recreate rollout waits for the old pods to be gone: wake it when one goes."""
        if event_type != "DELETED":
            return
        rs_ref = controller_of(pod)
        rs = self.replica_sets.by_uid(rs_ref.get("uid", "")) if rs_ref else None
        d_ref = controller_of(rs) if rs is not None else None
        deployment = self.deployments.by_uid(d_ref.get("uid", "")) if d_ref else None
        if deployment is not None and not util.is_rolling_update(deployment):
            self.queue.add(_key(deployment))

    # -- syncDeployment -------------------------------------------------------------------------
    def sync(self, key: tuple[str, str]) -> None:
        namespace, name = key
        d = self.api.try_get("Deployment", name, namespace)
        if d is None:
            return
        if d["spec"].get("selector") == {}:
            self.recorder.event(d, "Warning", "SelectingAll",
                                "This deployment is selecting all pods. "
                                "A non-empty selector is required.")
            status = d.setdefault("status", {})
            if status.get("observedGeneration", 0) < d["metadata"].get("generation", 1):
                status["observedGeneration"] = d["metadata"].get("generation", 1)
                self.api.update_status(d, user=COMPONENT)
            return
        rs_list = self._claim_replica_sets(d)
        if is_being_deleted(d):
            new_rs, old_rss = self._all_replica_sets(d, rs_list, create=False)
            self._sync_deployment_status([*old_rss, new_rs], new_rs, d)
            return
        self._check_paused_conditions(d)
        if d["spec"].get("paused") or self._is_scaling_event(d, rs_list):
            self._sync_scaling(d, rs_list)
        elif util.is_rolling_update(d):
            self._rollout_rolling(d, rs_list)
        else:
            self._rollout_recreate(d, rs_list)

    def _claim_replica_sets(self, d: dict) -> list[dict]:
        namespace = d["metadata"].get("namespace", "default")
        candidates = (self.replica_sets.by_index(BY_CONTROLLER_UID, d["metadata"]["uid"])
                      + self.replica_sets.by_index(BY_CONTROLLER_UID, ORPHAN + namespace))
        selector = Selector.from_label_selector(d["spec"].get("selector"))
        return claim_objects(self.api, d, selector, candidates, COMPONENT)

    def _check_paused_conditions(self, d: dict) -> None:
        """Progressing turns Unknown (DeploymentPaused / DeploymentResumed) so that time spent
        paused never counts against the progress deadline (checkPausedConditions)."""
        if not util.has_progress_deadline(d):
            return
        status = d.setdefault("status", {})
        current = util.get_condition(status, "Progressing")
        if current is not None and current.get("reason") == util.TIMED_OUT_REASON:
            return
        paused_reported = current is not None and current.get("reason") == util.PAUSED_DEPLOY_REASON
        paused = bool(d["spec"].get("paused"))
        if paused and not paused_reported:
            condition = util.new_condition("Progressing", "Unknown", util.PAUSED_DEPLOY_REASON,
                                           "Deployment is paused", self.clock.now)
        elif not paused and paused_reported:
            condition = util.new_condition("Progressing", "Unknown", util.RESUMED_DEPLOY_REASON,
                                           "Deployment is resumed", self.clock.now)
        else:
            return
        util.set_condition(status, condition)
        self.api.update_status(d, user=COMPONENT)

    def _is_scaling_event(self, d: dict, rs_list: list[dict]) -> bool:
        """``spec.replicas`` changed since the active ReplicaSets were last sized
        (their desired-replicas annotation differs): scale proportionally, do not roll."""
        new_rs, old_rss = self._all_replica_sets(d, rs_list, create=False)
        for rs in filter_active_replica_sets([*old_rss, new_rs]):
            desired = util.desired_replicas_annotation(rs)
            if desired is not None and desired != replicas_of(d):
                return True
        return False

    # -- the new ReplicaSet and the revisions ---------------------------------------------------
    def _all_replica_sets(self, d: dict, rs_list: list[dict],
                          create: bool) -> tuple[dict | None, list[dict]]:
        """(new RS, old RSes), the new RS's revision synced (getAllReplicaSetsAndSyncRevision)."""
        new_rs = util.find_new_replica_set(d, rs_list)
        old_rss = util.find_old_replica_sets(d, rs_list, new_rs)
        return self._new_replica_set(d, new_rs, old_rss, create), old_rss

    def _new_replica_set(self, d: dict, existing: dict | None, old_rss: list[dict],
                         create: bool) -> dict | None:
        new_revision = str(util.max_revision(old_rss) + 1)
        status = d.setdefault("status", {})
        if existing is not None:
            changed = util.set_new_replica_set_annotations(d, existing, new_revision, exists=True)
            min_ready = d["spec"].get("minReadySeconds", 0)
            if changed or existing["spec"].get("minReadySeconds", 0) != min_ready:
                _set_min_ready_seconds(existing, min_ready)
                return self.api.update(existing, user=COMPONENT)
            needs_update = util.set_deployment_revision(
                d, util.annotations_of(existing).get(util.REVISION_ANNOTATION, ""))
            if util.has_progress_deadline(d) and util.get_condition(status, "Progressing") is None:
                util.set_condition(status, util.new_condition(
                    "Progressing", "True", util.FOUND_NEW_RS_REASON,
                    f'Found new replica set "{existing["metadata"]["name"]}"', self.clock.now))
                needs_update = True
            if needs_update:
                self.api.update_status(d, user=COMPONENT)
            return existing
        if not create:
            return None
        rs = self._replica_set_for(d, new_revision, old_rss)
        try:
            created = self.api.create(rs, user=COMPONENT)
            already_existed = False
        except AlreadyExists:
            created = self._adopt_existing_or_collide(d, rs)
            already_existed = True
        except APIError as error:
            self._report_create_failure(d, rs, error)
            raise
        self.replica_sets.record_write(created)
        new_replicas = replicas_of(created)
        if not already_existed and new_replicas > 0:
            self.recorder.event(d, "Normal", "ScalingReplicaSet",
                                f"Scaled up replica set {created['metadata']['name']} "
                                f"from 0 to {new_replicas}")
        needs_update = util.set_deployment_revision(d, new_revision)
        if not already_existed and util.has_progress_deadline(d):
            util.set_condition(status, util.new_condition(
                "Progressing", "True", util.NEW_REPLICA_SET_REASON,
                f'Created new replica set "{created["metadata"]["name"]}"', self.clock.now))
            needs_update = True
        if needs_update:
            self.api.update_status(d, user=COMPONENT)
        return created

    def _replica_set_for(self, d: dict, new_revision: str, old_rss: list[dict]) -> dict:
        """The new ReplicaSet object: the template plus the pod-template-hash label, which is
        also added to its selector so it never selects another revision's pods."""
        template = copy.deepcopy(d["spec"]["template"])
        pod_hash = util.compute_hash(template, d.get("status", {}).get("collisionCount"))
        template.setdefault("metadata", {}).setdefault("labels", {})[
            util.DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY] = pod_hash
        selector = copy.deepcopy(d["spec"]["selector"])
        selector.setdefault("matchLabels", {})[util.DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY] = pod_hash
        rs = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {"name": f"{d['metadata']['name']}-{pod_hash}",
                         "namespace": d["metadata"].get("namespace", "default"),
                         "labels": dict(template["metadata"]["labels"]),
                         "ownerReferences": [owner_reference(d)]},
            "spec": {"replicas": 0, "selector": selector, "template": template},
        }
        _set_min_ready_seconds(rs, d["spec"].get("minReadySeconds", 0))
        rs["spec"]["replicas"] = util.new_rs_new_replicas(d, [*old_rss, rs], rs)
        util.set_new_replica_set_annotations(d, rs, new_revision, exists=False)
        return rs

    def _adopt_existing_or_collide(self, d: dict, rs: dict) -> dict:
        """The name is taken. If it is our RS with our template (a stale cache upstream), use
        it; otherwise it is a hash collision: bump ``status.collisionCount`` so the next try
        hashes to another name."""
        existing = self.api.get("ReplicaSet", rs["metadata"]["name"], rs["metadata"]["namespace"])
        owner = controller_of(existing)
        if (owner is not None and owner.get("uid") == d["metadata"]["uid"]
                and util.equal_ignore_hash(existing["spec"]["template"], d["spec"]["template"])):
            return existing
        status = d.setdefault("status", {})
        status["collisionCount"] = status.get("collisionCount", 0) + 1
        self.api.update_status(d, user=COMPONENT)
        raise AlreadyExists("ReplicaSet", rs["metadata"]["name"])

    def _report_create_failure(self, d: dict, rs: dict, error: APIError) -> None:
        message = f'Failed to create new replica set "{rs["metadata"]["name"]}": {error.message}'
        if util.has_progress_deadline(d):
            util.set_condition(d.setdefault("status", {}), util.new_condition(
                "Progressing", "False", util.FAILED_RS_CREATE_REASON, message, self.clock.now))
            self.api.update_status(d, user=COMPONENT)
        self.recorder.event(d, "Warning", util.FAILED_RS_CREATE_REASON, message)

    # -- scaling (sync.go) ----------------------------------------------------------------------
    def _sync_scaling(self, d: dict, rs_list: list[dict]) -> None:
        """A scaling event or a paused Deployment: resize, never roll (sync)."""
        new_rs, old_rss = self._all_replica_sets(d, rs_list, create=False)
        self._scale(d, new_rs, old_rss)
        if d["spec"].get("paused"):
            self._cleanup(old_rss, d)
        self._sync_deployment_status([*old_rss, new_rs], new_rs, d)

    def _scale(self, d: dict, new_rs: dict | None, old_rss: list[dict]) -> None:
        """Resize for a new ``spec.replicas``: the only active RS takes it all; in the middle of
        a rolling update every active RS gets its proportional share (scale)."""
        replicas = replicas_of(d)
        active_or_latest = util.find_active_or_latest(new_rs, old_rss)
        if active_or_latest is not None:
            if replicas_of(active_or_latest) != replicas:
                self._scale_replica_set(active_or_latest, replicas, d)
            return
        if util.is_saturated(d, new_rs):
            for old in filter_active_replica_sets(old_rss):
                self._scale_replica_set(old, 0, d)
            return
        if not util.is_rolling_update(d):
            return
        all_rss = filter_active_replica_sets([*old_rss, new_rs])
        allowed = replicas + util.max_surge(d) if replicas > 0 else 0
        to_add = allowed - util.replica_count(all_rss)
        if to_add > 0:
            all_rss = sorted_by_size_newer(all_rss)
        elif to_add < 0:
            all_rss = sorted_by_size_older(all_rss)
        added = 0
        sizes = []
        for rs in all_rss:
            proportion = util.get_proportion(rs, d, to_add, added) if to_add else 0
            sizes.append(replicas_of(rs) + proportion)
            added += proportion
        for i, rs in enumerate(all_rss):
            size = sizes[i]
            if i == 0 and to_add:
                # Leftovers go to the largest ReplicaSet.
                size = max(size + to_add - added, 0)
            self._scale_replica_set(rs, size, d)

    def _scale_replica_set(self, rs: dict, new_scale: int, d: dict) -> bool:
        """Set an RS's size and its desired/max-replicas annotations; record
        ``Scaled up replica set web-7d4b9c from 0 to 3`` (scaleReplicaSet)."""
        old_scale = replicas_of(rs)
        desired, maximum = replicas_of(d), replicas_of(d) + util.max_surge(d)
        size_changes = old_scale != new_scale
        if not size_changes and not util.replicas_annotations_need_update(rs, desired, maximum):
            return False
        rs["spec"]["replicas"] = new_scale
        util.set_replicas_annotations(rs, desired, maximum)
        self.api.update(rs, user=COMPONENT)
        if size_changes:
            direction = "up" if old_scale < new_scale else "down"
            self.recorder.event(d, "Normal", "ScalingReplicaSet",
                                f"Scaled {direction} replica set {rs['metadata']['name']} "
                                f"from {old_scale} to {new_scale}")
        return size_changes

    def _cleanup(self, old_rss: list[dict], d: dict) -> None:
        """Delete the oldest revisions beyond ``revisionHistoryLimit`` that have no pods left
        (cleanupDeployment)."""
        if not util.has_revision_history_limit(d):
            return
        alive = [rs for rs in old_rss if not is_being_deleted(rs)]
        diff = len(alive) - d["spec"]["revisionHistoryLimit"]
        if diff <= 0:
            return
        for rs in sorted(alive, key=lambda r: (util.revision(r), *by_creation(r)))[:diff]:
            status = rs.get("status") or {}
            if (status.get("replicas", 0) != 0 or replicas_of(rs) != 0
                    or rs["metadata"].get("generation", 1) > status.get("observedGeneration", 0)):
                continue
            try:
                self.api.delete("ReplicaSet", rs["metadata"]["name"], rs["metadata"]["namespace"],
                                user=COMPONENT)
            except APIError:
                continue
            self.replica_sets.record_removal(rs)

    # -- RollingUpdate (rolling.go) -------------------------------------------------------------
    def _rollout_rolling(self, d: dict, rs_list: list[dict]) -> None:
        new_rs, old_rss = self._all_replica_sets(d, rs_list, create=True)
        all_rss = [*old_rss, new_rs]
        if self._reconcile_new_replica_set(all_rss, new_rs, d):
            self._sync_rollout_status(all_rss, new_rs, d)
            return
        if self._reconcile_old_replica_sets(all_rss, filter_active_replica_sets(old_rss),
                                            new_rs, d):
            self._sync_rollout_status(all_rss, new_rs, d)
            return
        if util.deployment_complete(d, d.get("status") or {}):
            self._cleanup(old_rss, d)
        self._sync_rollout_status(all_rss, new_rs, d)

    def _reconcile_new_replica_set(self, all_rss: list[dict], new_rs: dict, d: dict) -> bool:
        replicas = replicas_of(d)
        if replicas_of(new_rs) == replicas:
            return False
        if replicas_of(new_rs) > replicas:
            return self._scale_replica_set(new_rs, replicas, d)
        return self._scale_replica_set(new_rs, util.new_rs_new_replicas(d, all_rss, new_rs), d)

    def _reconcile_old_replica_sets(self, all_rss: list[dict], old_rss: list[dict],
                                    new_rs: dict, d: dict) -> bool:
        """Scale old ReplicaSets down as far as availability allows.

        ``maxScaledDown = allPods - minAvailable - newRSUnavailable``: the new RS's unavailable
        pods are subtracted so that a broken new template (ImagePullBackOff) never makes the
        controller kill old, working pods. Unhealthy old pods go first.
        """
        old_pods = util.replica_count(old_rss)
        if old_pods == 0:
            return False
        all_pods = util.replica_count(all_rss)
        min_available = replicas_of(d) - util.max_unavailable(d)
        new_unavailable = replicas_of(new_rs) - (new_rs.get("status") or {}).get(
            "availableReplicas", 0)
        max_scaled_down = all_pods - min_available - new_unavailable
        if max_scaled_down <= 0:
            return False
        old_rss, cleaned = self._cleanup_unhealthy_replicas(old_rss, d, max_scaled_down)
        scaled = self._scale_down_old_replica_sets([*old_rss, new_rs], old_rss, d)
        return cleaned + scaled > 0

    def _cleanup_unhealthy_replicas(self, old_rss: list[dict], d: dict,
                                    max_cleanup: int) -> tuple[list[dict], int]:
        total = 0
        for rs in sorted(old_rss, key=by_creation):
            if total >= max_cleanup:
                break
            replicas = replicas_of(rs)
            available = (rs.get("status") or {}).get("availableReplicas", 0)
            if replicas == 0 or replicas == available:
                continue
            count = min(max_cleanup - total, replicas - available)
            self._scale_replica_set(rs, replicas - count, d)
            total += count
        return old_rss, total

    def _scale_down_old_replica_sets(self, all_rss: list[dict], old_rss: list[dict],
                                     d: dict) -> int:
        min_available = replicas_of(d) - util.max_unavailable(d)
        available = util.status_count(all_rss, "availableReplicas")
        if available <= min_available:
            return 0
        total, to_scale_down = 0, available - min_available
        for rs in sorted(old_rss, key=by_creation):
            if total >= to_scale_down:
                break
            if replicas_of(rs) == 0:
                continue
            count = min(replicas_of(rs), to_scale_down - total)
            self._scale_replica_set(rs, replicas_of(rs) - count, d)
            total += count
        return total

    # -- Recreate (recreate.go) -----------------------------------------------------------------
    def _rollout_recreate(self, d: dict, rs_list: list[dict]) -> None:
        new_rs, old_rss = self._all_replica_sets(d, rs_list, create=False)
        all_rss = [*old_rss, new_rs]
        scaled_down = False
        for rs in filter_active_replica_sets(old_rss):
            scaled_down = self._scale_replica_set(rs, 0, d) or scaled_down
        if scaled_down or self._old_pods_running(new_rs, old_rss):
            self._sync_rollout_status(all_rss, new_rs, d)
            return
        if new_rs is None:
            new_rs, old_rss = self._all_replica_sets(d, rs_list, create=True)
            all_rss = [*old_rss, new_rs]
        self._scale_replica_set(new_rs, replicas_of(d), d)
        if util.deployment_complete(d, d.get("status") or {}):
            self._cleanup(old_rss, d)
        self._sync_rollout_status(all_rss, new_rs, d)

    def _old_pods_running(self, new_rs: dict | None, old_rss: list[dict]) -> bool:
        """Any pod of an old ReplicaSet not yet finished or gone, Terminating ones included."""
        if util.status_count(old_rss, "replicas") > 0:
            return True
        for rs in old_rss:
            if new_rs is not None and rs["metadata"]["uid"] == new_rs["metadata"]["uid"]:
                continue
            for pod in self.pods.by_index(BY_CONTROLLER_UID, rs["metadata"]["uid"]):
                if pod.get("status", {}).get("phase") not in ("Succeeded", "Failed"):
                    return True
        return False

    # -- status and progress (sync.go, progress.go) ---------------------------------------------
    def _calculate_status(self, all_rss: list[dict | None], new_rs: dict | None,
                          d: dict) -> dict:
        """calculateStatus: counters from the ReplicaSets, plus the Available condition."""
        old = d.get("status") or {}
        available = util.status_count(all_rss, "availableReplicas")
        total = util.replica_count(all_rss)
        counters = {
            "observedGeneration": d["metadata"].get("generation", 1),
            "replicas": util.status_count(all_rss, "replicas"),
            "updatedReplicas": util.status_count([new_rs], "replicas"),
            "readyReplicas": util.status_count(all_rss, "readyReplicas"),
            "availableReplicas": available,
            "unavailableReplicas": max(total - available, 0),
        }
        status: dict = {field: value for field, value in counters.items() if value}
        if old.get("conditions"):
            status["conditions"] = [dict(c) for c in old["conditions"]]
        if "collisionCount" in old:
            status["collisionCount"] = old["collisionCount"]
        if available >= replicas_of(d) - util.max_unavailable(d):
            condition = util.new_condition("Available", "True", util.MINIMUM_REPLICAS_AVAILABLE,
                                           "Deployment has minimum availability.", self.clock.now)
        else:
            condition = util.new_condition("Available", "False",
                                           util.MINIMUM_REPLICAS_UNAVAILABLE,
                                           "Deployment does not have minimum availability.",
                                           self.clock.now)
        util.set_condition(status, condition)
        return status

    def _sync_deployment_status(self, all_rss: list[dict | None], new_rs: dict | None,
                                d: dict) -> None:
        new_status = self._calculate_status(all_rss, new_rs, d)
        if d.get("status") != new_status:
            d["status"] = new_status
            self.api.update_status(d, user=COMPONENT)

    def _sync_rollout_status(self, all_rss: list[dict | None], new_rs: dict | None,
                             d: dict) -> None:
        """Status plus the Progressing condition (syncRolloutStatus)."""
        now = self.clock.now
        new_status = self._calculate_status(all_rss, new_rs, d)
        if not util.has_progress_deadline(d):
            util.remove_condition(new_status, "Progressing")
        current = util.get_condition(d.get("status") or {}, "Progressing")
        complete_before = (new_status.get("replicas", 0) == new_status.get("updatedReplicas", 0)
                           and current is not None
                           and current.get("reason") == util.NEW_RS_AVAILABLE_REASON)
        rs_name = f'ReplicaSet "{new_rs["metadata"]["name"]}"' if new_rs else \
            f'Deployment "{d["metadata"]["name"]}"'
        if util.has_progress_deadline(d) and not complete_before:
            if util.deployment_complete(d, new_status):
                util.set_condition(new_status, util.new_condition(
                    "Progressing", "True", util.NEW_RS_AVAILABLE_REASON,
                    f"{rs_name} has successfully progressed.", now))
            elif util.deployment_progressing(d, new_status):
                condition = util.new_condition("Progressing", "True",
                                               util.REPLICA_SET_UPDATED_REASON,
                                               f"{rs_name} is progressing.", now)
                # Progress moves lastUpdateTime even when the reason stays the same.
                if current is not None:
                    if current["status"] == "True":
                        condition["lastTransitionTime"] = current["lastTransitionTime"]
                    util.remove_condition(new_status, "Progressing")
                util.set_condition(new_status, condition)
            elif util.deployment_timed_out(d, new_status, now):
                util.set_condition(new_status, util.new_condition(
                    "Progressing", "False", util.TIMED_OUT_REASON,
                    f"{rs_name} has timed out progressing.", now))
        failures = _replica_failures(all_rss, new_rs)
        if failures:
            util.set_condition(new_status, failures[0])
        else:
            util.remove_condition(new_status, "ReplicaFailure")
        if d.get("status") == new_status:
            self._requeue_stuck(d, new_status)
            return
        d["status"] = new_status
        self.api.update_status(d, user=COMPONENT)

    def _requeue_stuck(self, d: dict, status: dict) -> None:
        """Nothing changed: come back when the progress deadline passes (requeueStuckDeployment),
        since no event would wake the controller to notice a rollout that stopped moving."""
        current = util.get_condition(d.get("status") or {}, "Progressing")
        if not util.has_progress_deadline(d) or current is None:
            return
        if util.deployment_complete(d, status) or current.get("reason") == util.TIMED_OUT_REASON:
            return
        deadline = util.progress_deadline_passes_at(d, d.get("status") or {})
        self.queue.add_after(_key(d), max(deadline - self.clock.now, 0) + 1)


def _replica_failures(all_rss: list[dict | None], new_rs: dict | None) -> list[dict]:
    """ReplicaFailure conditions, the new ReplicaSet's first (getReplicaFailures)."""
    def failures(rss: list[dict | None]) -> list[dict]:
        found = []
        for rs in rss:
            for cond in (rs or {}).get("status", {}).get("conditions") or ():
                if cond["type"] == "ReplicaFailure":
                    found.append({"type": "ReplicaFailure", "status": cond["status"],
                                  "lastUpdateTime": cond.get("lastTransitionTime"),
                                  "lastTransitionTime": cond.get("lastTransitionTime"),
                                  "reason": cond.get("reason", ""),
                                  "message": cond.get("message", "")})
        return found
    return failures([new_rs]) or failures(all_rss)


def _set_min_ready_seconds(rs: dict, value: int) -> None:
    if value:
        rs["spec"]["minReadySeconds"] = value
    else:
        rs["spec"].pop("minReadySeconds", None)


def _key(obj: dict) -> tuple[str, str]:
    return (obj["metadata"].get("namespace", "default"), obj["metadata"]["name"])
