"""The workshop's steps turn away the mistakes a learner is likely to make, saying why.

Each test builds the learner's cluster as the workshop would have it (``workshop(before=N)``),
makes one mistake in it, and checks the step's verdict. The solutions themselves pass their
checks in tests/test_exercises.py.
"""

import json
from pathlib import Path

import pytest

from k8skit.exercises import Status
from k8skit.exercises.ch06 import (
    ACTIONS,
    BAD_IMAGE,
    FIRST_IMAGE,
    GOOD_IMAGE,
    LAST_STEP,
    STEPS,
    manifest,
    power_cut,
    teammate_release,
    workshop,
)

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "06_workshop.ipynb"


def verdict(step: int, shop):
    return STEPS[step - 1].evaluate(shop)


def assert_not_yet(step: int, shop, says: str) -> None:
    result = verdict(step, shop)
    assert result.status is Status.NOT_YET, result.message
    assert says in result.message


def done(shop, step: int) -> None:
    """Do ``step`` as its solution does."""
    exec(ACTIONS[step], {"shop": shop})


def edited(name: str, old: str, new: str) -> str:
    text = manifest(name)
    assert old in text
    return text.replace(old, new)


# -- a fresh workshop ---------------------------------------------------------------------------


def test_a_fresh_workshop_shows_every_step_not_attempted():
    shop = workshop()
    for step in STEPS:
        answer = shop if step.answer_name == "shop" else None
        assert step.evaluate(answer).status is Status.NOT_ATTEMPTED, step.id


def test_each_step_is_not_attempted_where_it_starts():
    """Where the workshop stands when a step begins, that step's check says "not attempted"."""
    for step in range(2, LAST_STEP + 1):
        if STEPS[step - 1].answer_name != "shop":
            continue
        result = verdict(step, workshop(before=step))
        assert result.status is Status.NOT_ATTEMPTED, (step, result.message)


def test_a_check_reads_the_cluster_and_never_changes_it():
    shop = workshop(before=LAST_STEP + 1)
    revision, now = shop.store.revision, shop.now
    for step in STEPS:
        if step.answer_name == "shop":
            assert step.evaluate(shop).status is Status.CORRECT, step.id
    assert (shop.store.revision, shop.now) == (revision, now)


def test_a_wrong_kind_of_answer_says_what_is_expected():
    result = STEPS[0].evaluate("kubectl get pods")
    assert result.status is Status.NOT_YET
    assert "expected the workshop's cluster, `shop`" in result.message


def test_workshop_refuses_a_step_that_does_not_exist():
    with pytest.raises(ValueError, match="from 1 to 12"):
        workshop(before=13)


# -- step 1: configuration ----------------------------------------------------------------------


@pytest.mark.parametrize("yaml_text, says", [
    (edited("config", "default.conf: |", "nginx.conf: |"), "no key `default.conf`"),
    (edited("config", "proxy_pass http://backend;", "proxy_pass http://127.0.0.1:8080;"),
     "does not pass requests to the Service `backend` (it names 127.0.0.1)"),
    (edited("config", "        }\n    }\n---", "        }\n---"),
     'nginx would refuse `default.conf`: [emerg] unexpected end of file, expecting "}"'),
    (edited("config", "API_TOKEN: s3cr3t-t0ken", "TOKEN: s3cr3t-t0ken"),
     "no key `API_TOKEN` (its keys: `TOKEN`)"),
    (manifest("config").split("---")[0], "there is no Secret `backend-secret`"),
])
def test_step1_turns_away_a_wrong_configuration(yaml_text, says):
    shop = workshop()
    shop.apply(yaml_text)
    assert_not_yet(1, shop, says)


def test_step1_finds_objects_created_in_the_wrong_namespace():
    shop = workshop()
    shop.apply("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n")
    shop.kubectl("apply -n shop -f -", stdin=manifest("config"))
    assert_not_yet(1, shop, "is in namespace `shop`, but the shop lives in `default`")


def test_step1_accepts_a_secret_made_with_kubectl_create():
    shop = workshop()
    shop.apply(manifest("config").split("---")[0])
    shop.kubectl("create secret generic backend-secret --from-literal=API_TOKEN=hunter2")
    assert verdict(1, shop).status is Status.CORRECT


# -- step 2: storage ----------------------------------------------------------------------------


@pytest.mark.parametrize("old, new, says", [
    ("        volumeMounts:\n        - name: data\n          mountPath: /data\n", "",
     "do not mount the claim `redis-data` at /data"),
    ("  strategy:\n    type: Recreate\n", "", "strategy is RollingUpdate"),
    ("  resources:\n    requests:\n      storage: 1Gi\n",
     "  storageClassName: fast\n  resources:\n    requests:\n      storage: 1Gi\n",
     "is Pending, not Bound"),
    ("  selector:\n    app: redis\n", "  selector:\n    app: cache\n", "has no endpoints"),
])
def test_step2_turns_away_storage_that_would_not_keep_the_data(old, new, says):
    shop = workshop(before=2)
    shop.apply(edited("redis", old, new))
    shop.run(30)
    assert_not_yet(2, shop, says)


def test_step2_waits_for_the_clock():
    shop = workshop(before=2)
    shop.apply(manifest("redis"))
    assert_not_yet(2, shop, "is Pending, not Bound: if the clock has run")
    shop.run(3)
    assert_not_yet(2, shop, "has not finished rolling out")


# -- step 3: data that outlives its pod ---------------------------------------------------------


def redis_pod(shop) -> str:
    return shop.kubectl("get pods -l app=redis -o name").stdout.strip()


def test_step3_asks_for_the_pod_to_be_replaced():
    shop = workshop(before=3)
    shop.kubectl(f"exec {redis_pod(shop)} -- redis-cli INCR visits")
    assert_not_yet(3, shop, "Now delete that pod")


def test_step3_wants_a_count():
    shop = workshop(before=3)
    shop.kubectl(f"exec {redis_pod(shop)} -- redis-cli SET visits many")
    shop.kubectl(f"delete {redis_pod(shop)}")
    shop.run(30)
    assert_not_yet(3, shop, "holds 'many', not a count")


def test_step3_notices_a_pod_replaced_before_anything_was_counted():
    shop = workshop(before=3)
    shop.kubectl(f"exec {redis_pod(shop)} -- redis-cli SET other 1")
    shop.kubectl(f"delete {redis_pod(shop)}")
    shop.run(30)
    assert_not_yet(3, shop, "it has no key `visits`")


# -- step 4: the backend ------------------------------------------------------------------------

TOKEN_FROM_SECRET = """\
          valueFrom:
            secretKeyRef:
              name: backend-secret
              key: API_TOKEN
"""


@pytest.mark.parametrize("old, new, says", [
    (TOKEN_FROM_SECRET, "          value: s3cr3t-t0ken\n", "written into the manifest"),
    ("              key: API_TOKEN", "              key: TOKEN", "gets no `API_TOKEN`"),
    ("    targetPort: 8080", "    targetPort: 80", "hello-app listens on 8080"),
    ("  replicas: 2", "  replicas: 3", "start with 2"),
    ("  - port: 80\n", "  - port: 8080\n", "does not listen on port 80"),
])
def test_step4_turns_away_a_wrong_backend(old, new, says):
    shop = workshop(before=4)
    shop.apply(edited("backend", old, new))
    shop.run(30)
    assert_not_yet(4, shop, says)


def test_step4_shows_why_pods_do_not_start_without_the_secret():
    shop = workshop()  # the Secret of step 1 was never created
    shop.apply(manifest("backend"))
    shop.run(30)
    assert_not_yet(4, shop, "2 CreateContainerConfigError")


def test_step4_notices_a_token_changed_after_the_pods_started():
    shop = workshop(before=5)
    shop.kubectl("delete secret backend-secret")
    shop.kubectl("create secret generic backend-secret --from-literal=API_TOKEN=rotated")
    assert_not_yet(4, shop, "Environment variables are read when a container starts")


# -- step 5: the frontend -----------------------------------------------------------------------


@pytest.mark.parametrize("old, new, says", [
    ("  type: NodePort\n", "", "is a ClusterIP"),
    ("    nodePort: 30080", "    nodePort: 30081", "use 30080"),
    ("          mountPath: /etc/nginx/conf.d", "          mountPath: /etc/nginx",
     "do not mount the ConfigMap"),
])
def test_step5_turns_away_a_frontend_customers_cannot_reach(old, new, says):
    shop = workshop(before=5)
    text = edited("frontend", old, new)
    if old == "  type: NodePort\n":
        text = text.replace("    nodePort: 30080\n", "")
    shop.apply(text)
    shop.run(30)
    assert_not_yet(5, shop, says)


def test_step5_explains_a_frontend_started_before_the_backend_service():
    shop = workshop(before=4)  # configured, but no backend yet
    shop.apply(manifest("frontend"))
    shop.run(30)
    assert_not_yet(5, shop, "host not found in upstream")


# -- steps 6 and 7: scale and roll out ----------------------------------------------------------


def test_step6_wants_four_replicas():
    shop = workshop(before=6)
    shop.kubectl("scale deployment/backend --replicas=3")
    shop.run(30)
    assert_not_yet(6, shop, "asks for 3 replicas")


def test_step6_waits_for_the_new_pods():
    shop = workshop(before=6)
    shop.kubectl("scale deployment/backend --replicas=4")
    assert_not_yet(6, shop, "has not finished rolling out")


def test_step7_wants_the_release_it_names():
    shop = workshop(before=7)
    shop.kubectl("set image deployment/backend hello-app=gcr.io/google-samples/hello-app:2.1")
    shop.run(60)
    assert_not_yet(7, shop, "the release to roll out is " + GOOD_IMAGE)


def test_step7_waits_for_the_rollout():
    shop = workshop(before=7)
    shop.kubectl(f"set image deployment/backend hello-app={GOOD_IMAGE}")
    assert_not_yet(7, shop, "has not finished rolling out")


# -- step 8: diagnose ---------------------------------------------------------------------------


@pytest.mark.parametrize("answer, says", [
    ("ImagePullBackOff", "not which image"),
    (GOOD_IMAGE, "exists: pods run it"),
    ("hello-app:3.0", "give the whole reference"),
    ("nginx", "is not the image the new backend pods try to pull"),
    (42, "expected an image reference"),
])
def test_step8_turns_away_a_wrong_diagnosis(answer, says):
    result = STEPS[7].evaluate(answer)
    assert result.status is Status.NOT_YET
    assert says in result.message


def test_step8_is_what_the_broken_pod_reports():
    shop = workshop(before=8)
    events = shop.kubectl("get events").stdout
    assert f'Failed to pull image "{BAD_IMAGE}"' in events
    assert "ImagePullBackOff" in shop.kubectl("get pods").stdout


# -- step 9: roll back --------------------------------------------------------------------------


def test_step9_is_not_attempted_before_the_broken_release():
    shop = workshop(before=7)
    done(shop, 7)  # on 2.0, rolled out, and no teammate has released anything yet
    result = verdict(9, shop)
    assert result.status is Status.NOT_ATTEMPTED
    assert "teammate_release(shop)" in result.message


def test_step9_wants_the_last_good_release_not_the_first():
    shop = workshop(before=9)
    shop.kubectl("rollout undo deployment/backend --to-revision=1")
    shop.run(60)
    assert_not_yet(9, shop, f"now runs {FIRST_IMAGE}, two releases back")


# -- steps 10 and 11: a node fails, and comes back ----------------------------------------------


def test_step10_waits_for_the_eviction():
    shop = workshop(before=10)
    shop.run(120)
    assert_not_yet(10, shop, "Their tolerations give the node 300 s")


def test_step10_is_not_attempted_while_the_api_still_shows_the_node_ready():
    shop = workshop(before=10)
    result = verdict(10, shop)
    assert result.status is Status.NOT_ATTEMPTED
    assert "the API still shows its node Ready" in result.message


def test_step11_wants_the_backend_back_on_the_restored_node():
    shop = workshop(before=11)
    lost = [name for name, kubelet in shop.kubelets.items() if not kubelet.running][0]
    shop.restore_node(lost)
    shop.run(60)
    assert_not_yet(11, shop, "Kubernetes never moves running pods back")


def test_step11_notices_a_cordoned_node():
    shop = workshop(before=11)
    lost = [name for name, kubelet in shop.kubelets.items() if not kubelet.running][0]
    shop.restore_node(lost)
    shop.kubectl(f"cordon {lost}")
    shop.run(60)
    assert_not_yet(11, shop, "Ready,SchedulingDisabled")


# -- the breakages and the notebook -------------------------------------------------------------


def test_the_breakages_explain_themselves_when_the_shop_is_not_there_yet(capsys):
    shop = workshop()
    teammate_release(shop)
    power_cut(shop)
    assert capsys.readouterr().out.splitlines() == [
        "There is no Deployment backend to release yet: do steps 4 to 7 first.",
        "There is no Redis pod on a node yet: do step 2 first.",
    ]
    assert all(kubelet.running for kubelet in shop.kubelets.values())


def test_power_cut_takes_down_the_machine_that_runs_redis():
    shop = workshop(before=10)
    lost = [name for name, kubelet in shop.kubelets.items() if not kubelet.running]
    redis = shop.api.list("Pod", "default", label_selector={"app": "redis"})
    assert len(lost) == 1 and {pod["spec"]["nodeName"] for pod in redis} == set(lost)


def check_outputs(notebook: dict) -> dict[str, str]:
    """The text each ``stepN.check()`` cell of the notebook shows, by step."""
    shown = {}
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] != "code" or ".check()" not in source:
            continue
        name = source.split(".check()")[0].split()[-1]
        text = "".join("".join(output.get("data", {}).get("text/plain", ""))
                       for output in cell.get("outputs", []))
        shown[name] = text
    return shown


def test_the_committed_notebook_shows_every_step_not_attempted():
    shown = check_outputs(json.loads(NOTEBOOK.read_text()))
    assert set(shown) == {f"step{n}" for n in range(1, LAST_STEP + 1)}
    for step, text in shown.items():
        assert text.startswith("Not attempted:"), (step, text)
