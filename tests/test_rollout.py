"""The workload verbs of kubectl: create deployment, scale, set image and rollout, word for word.

Sources: ``staging/src/k8s.io/kubectl/pkg/cmd/{create,scale,set,rollout}`` and
``pkg/polymorphichelpers`` (status lines, history table, rollback).
"""

from __future__ import annotations

import pytest
import yaml

from k8skit import Cluster


@pytest.fixture()
def cluster() -> Cluster:
    return Cluster(nodes=2, seed=21)


def test_create_deployment_dry_run_prints_the_manifest_kubectl_would_send(cluster):
    result = cluster.kubectl("create deployment web --image=registry.k8s.io/echoserver:1.10 "
                             "--replicas=2 --port=8080 --dry-run=client -o yaml")
    assert result.returncode == 0
    assert yaml.safe_load(result.stdout) == {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"creationTimestamp": None, "labels": {"app": "web"}, "name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "strategy": {},
                 "template": {"metadata": {"creationTimestamp": None,
                                           "labels": {"app": "web"}},
                              "spec": {"containers": [{
                                  "image": "registry.k8s.io/echoserver:1.10",
                                  "name": "echoserver", "ports": [{"containerPort": 8080}],
                                  "resources": {}}]}}},
        "status": {}}
    assert cluster.api.try_get("Deployment", "web") is None


def test_create_deployment_messages(cluster):
    assert cluster.kubectl("create deployment web --image=nginx:1.25").stdout == \
        "deployment.apps/web created\n"
    again = cluster.kubectl("create deployment web --image=nginx:1.25")
    assert (again.returncode, again.stderr) == (
        1, 'error: failed to create deployment: deployments.apps "web" already exists\n')
    no_image = cluster.kubectl("create deployment other")
    assert no_image.stderr == 'error: required flag(s) "image" not set\n'
    no_name = cluster.kubectl("create deployment --image=nginx")
    assert no_name.stderr.startswith("error: exactly one NAME is required, got 0\n")


def test_rollout_status_prints_each_stage_until_rolled_out(cluster):
    cluster.kubectl("create deployment web --image=nginx:1.25 --replicas=3")
    status = cluster.kubectl("rollout status deployment/web")
    lines = status.stdout.splitlines()
    assert status.returncode == 0
    assert lines[-1] == 'deployment "web" successfully rolled out'
    assert all(line.startswith('Waiting for deployment "web" rollout to finish: ')
               for line in lines[:-1])
    assert len(lines) == len(set(lines))
    cluster.kubectl("set image deployment/web nginx=nginx:1.16.1")
    lines = cluster.kubectl("rollout status deployment/web").stdout.splitlines()
    assert lines[0] == ('Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas '
                        "have been updated...")
    assert 'Waiting for deployment "web" rollout to finish: 1 old replicas are pending ' \
           "termination..." in lines
    assert lines[-1] == 'deployment "web" successfully rolled out'
    assert cluster.kubectl("rollout status deploy web --watch=false").stdout == \
        'deployment "web" successfully rolled out\n'


def test_history_shows_change_causes_and_a_revisions_template(cluster):
    cluster.kubectl("create deployment web --image=nginx:1.25")
    cluster.kubectl("rollout status deployment/web")
    record = cluster.kubectl("set image deployment/web nginx=nginx:1.16.1 --record")
    assert record.stderr == ("Flag --record has been deprecated, --record will be removed in the "
                             "future\n")
    cluster.kubectl("rollout status deployment/web")
    # As the docs advise: annotate after the change; the annotation goes to the new revision.
    cluster.kubectl("set image deployment/web nginx=nginx:1.27")
    annotated = cluster.kubectl("annotate deployment/web kubernetes.io/change-cause='image to "
                                "1.27' --overwrite")
    assert annotated.ok, annotated.stderr
    cluster.kubectl("rollout status deployment/web")
    history = cluster.kubectl("rollout history deployment/web").stdout
    assert history == (
        "deployment.apps/web \n"
        "REVISION  CHANGE-CAUSE\n"
        "1         <none>\n"
        "2         kubectl set image deployment/web nginx=nginx:1.16.1 --record=true\n"
        "3         image to 1.27\n"
        "\n")
    revision = cluster.kubectl("rollout history deployment/web --revision=2").stdout
    assert revision.startswith("deployment.apps/web with revision #2\nPod Template:\n"
                               "  Labels:\tapp=web\n\tpod-template-hash=")
    assert "    Image:\tnginx:1.16.1\n" in revision
    missing = cluster.kubectl("rollout history deployment/web --revision=7")
    assert missing.stderr == "error: unable to find the specified revision\n"


def test_pause_resume_and_restart_messages(cluster):
    cluster.kubectl("create deployment web --image=nginx:1.25")
    assert cluster.kubectl("rollout pause deployment/web").stdout == \
        "deployment.apps/web paused\n"
    again = cluster.kubectl("rollout pause deployment/web")
    assert again.stderr == 'error: deployments.apps "web" is already paused\n'
    restart = cluster.kubectl("rollout restart deployment/web")
    assert restart.stderr == ('error: deployments.apps "web" can\'t restart paused deployment '
                              "(run rollout resume first)\n")
    undo = cluster.kubectl("rollout undo deployment/web")
    assert undo.stderr == ("error: you cannot rollback a paused deployment; resume it first with "
                           "'kubectl rollout resume' and try again\n")
    assert cluster.kubectl("rollout resume deployment/web").stdout == \
        "deployment.apps/web resumed\n"
    assert cluster.kubectl("rollout resume deployment/web").stderr == \
        'error: deployments.apps "web" is not paused\n'
    cluster.kubectl("rollout status deployment/web")
    pods_before = {p["metadata"]["name"] for p in cluster.api.list("Pod", namespace="default")}
    assert cluster.kubectl("rollout restart deployment/web").stdout == \
        "deployment.apps/web restarted\n"
    template = cluster.api.get("Deployment", "web")["spec"]["template"]
    assert "kubectl.kubernetes.io/restartedAt" in template["metadata"]["annotations"]
    cluster.kubectl("rollout status deployment/web")
    pods_after = {p["metadata"]["name"] for p in cluster.api.list("Pod", namespace="default")
                  if not p["metadata"].get("deletionTimestamp")}
    assert pods_after and not pods_after & pods_before


def test_scale_and_set_image_errors(cluster):
    cluster.kubectl("create deployment web --image=nginx:1.25")
    assert cluster.kubectl("scale deployment/web --replicas=4").stdout == \
        "deployment.apps/web scaled\n"
    assert cluster.api.get("Deployment", "web")["spec"]["replicas"] == 4
    assert cluster.kubectl("scale deployment web").stderr == \
        'error: required flag(s) "replicas" not set\n'
    assert cluster.kubectl("scale deploy/web --current-replicas=2 --replicas=3").stderr == \
        "error: Expected replicas to be 2, was 4\n"
    assert cluster.kubectl("scale deployment nope --replicas=1").stderr == \
        'Error from server (NotFound): deployments.apps "nope" not found\n'
    rs = cluster.api.list("ReplicaSet", namespace="default")[0]["metadata"]["name"]
    assert cluster.kubectl(f"scale rs {rs} --replicas=1").stdout == \
        f"replicaset.apps/{rs} scaled\n"
    assert cluster.kubectl("set image deployment/web php=php:8").stderr == \
        'error: unable to find container named "php"\n'
    assert cluster.kubectl("set image deployment/web").stderr == \
        "error: at least one image update is required\n"
    unchanged = cluster.kubectl("set image deployment/web nginx=nginx:1.25")
    assert (unchanged.returncode, unchanged.stdout) == (0, "")
    assert cluster.kubectl("set image deployment/web *=nginx:1.27").stdout == \
        "deployment.apps/web image updated\n"


def test_rollout_verbs_report_kinds_they_do_not_handle(cluster):
    cluster.kubectl("create deployment web --image=nginx:1.25")
    rs = cluster.api.list("ReplicaSet", namespace="default")[0]["metadata"]["name"]
    assert cluster.kubectl(f"rollout status rs/{rs}").stderr == \
        "error: no status viewer has been implemented for ReplicaSet.apps\n"
    assert cluster.kubectl(f"rollout undo rs/{rs}").stderr == \
        'error: no rollbacker has been implemented for "ReplicaSet.apps"\n'
    assert cluster.kubectl(f"rollout pause rs/{rs}").stderr == \
        f'error: replicasets.apps "{rs}" pausing is not supported\n'
    unknown_flag = cluster.kubectl("rollout pause deployment/web --to-revision=1")
    assert unknown_flag.stderr.startswith("error: unknown flag: --to-revision\n")


def test_describe_replica_set_counts_its_pods(cluster):
    cluster.kubectl("create deployment web --image=nginx:1.25 --replicas=2")
    cluster.kubectl("rollout status deployment/web")
    rs = cluster.api.list("ReplicaSet", namespace="default")[0]["metadata"]["name"]
    text = cluster.kubectl(f"describe rs {rs}").stdout
    assert "Controlled By:  Deployment/web\n" in text
    assert "Replicas:       2 current / 2 desired\n" in text
    assert "Pods Status:    2 Running / 0 Waiting / 0 Succeeded / 0 Failed\n" in text
    assert "Normal  SuccessfulCreate" in text


def test_a_type_alone_means_every_deployment_for_rollout_but_not_for_scale(cluster):
    cluster.kubectl("create deployment web --image=nginx:1.25")
    cluster.kubectl("create deployment api --image=nginx:1.25")
    assert cluster.kubectl("rollout restart deployment").stdout == \
        "deployment.apps/api restarted\ndeployment.apps/web restarted\n"
    several = cluster.kubectl("rollout status deployment")
    assert several.stderr == ("error: rollout status is only supported on individual resources "
                              "and resource collections, but 2 resources were found\n")
    assert cluster.kubectl("scale deployment --replicas=2").stderr == \
        "error: resource(s) were provided, but no name was specified\n"
    assert cluster.kubectl("scale deployment --all --replicas=2").stdout == \
        "deployment.apps/api scaled\ndeployment.apps/web scaled\n"
