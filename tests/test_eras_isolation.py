"""The isolation claims of chapter 1, as properties of the model.

Bare metal: a noisy neighbour slows the others and the OOM killer may take an innocent app.
VMs: neither happens to another VM. Containers: limits isolate like VMs; without limits the
noisy neighbour is back.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8skit.eras import (
    App,
    CannotShare,
    Containerized,
    DoesNotFit,
    Server,
    Traditional,
    Virtualized,
    run,
    scenarios,
)

LAB = scenarios.LAB_SERVER
OTHERS = ("web", "db")


def received(timeline, name):
    return timeline.trace(name).cpu_received


noisy_cores = st.floats(min_value=0.5, max_value=16.0)


@given(noisy_cores, st.booleans())
def test_a_noisy_neighbour_never_reduces_another_vms_cpu(cores, leak):
    quiet = run(Virtualized(), LAB, scenarios.lab_apps(leak=leak))
    noisy = run(Virtualized(), LAB, scenarios.lab_apps(cores, leak=leak))
    for name in OTHERS:
        assert received(noisy, name) == received(quiet, name)


@given(noisy_cores)
def test_with_limits_a_noisy_container_never_reduces_another_containers_cpu(cores):
    quiet = run(Containerized(limits=True), LAB, scenarios.lab_apps())
    noisy = run(Containerized(limits=True), LAB, scenarios.lab_apps(cores))
    for name in OTHERS:
        assert received(noisy, name) == received(quiet, name)


@given(st.floats(min_value=4.0, max_value=16.0))
def test_without_limits_a_noisy_container_takes_cpu_from_a_bursting_neighbour(cores):
    quiet = run(Containerized(limits=False), LAB, scenarios.lab_apps())
    noisy = run(Containerized(limits=False), LAB, scenarios.lab_apps(cores))
    assert sum(received(noisy, "web")) < sum(received(quiet, "web"))
    # ... but never below its request: CPU shares follow requests.
    web = noisy.trace("web")
    request = scenarios.web().cpu_request
    assert all(
        got >= min(need, request) - 1e-9
        for got, need in zip(web.cpu_received, web.cpu_needed, strict=True)
    )


@given(st.floats(min_value=4.0, max_value=16.0))
def test_on_bare_metal_a_noisy_neighbour_slows_the_others(cores):
    quiet = run(Traditional(), LAB, scenarios.lab_apps())
    noisy = run(Traditional(), LAB, scenarios.lab_apps(cores))
    assert sum(received(noisy, "web")) < sum(received(quiet, "web"))


def test_the_bare_metal_oom_killer_takes_the_big_innocent_app_first():
    timeline = run(Traditional(), LAB, scenarios.lab_apps(leak=True))
    first, *rest = timeline.kills
    assert first.app == "db" and not first.victim_was_leaking
    # The leak goes on, so the leaker dies later anyway.
    assert [kill.app for kill in rest] == ["batch"]


def test_a_killed_app_gets_no_cpu_and_holds_no_memory_afterwards():
    timeline = run(Traditional(), LAB, scenarios.lab_apps(leak=True))
    db = timeline.trace("db")
    after = [i for i, t in enumerate(timeline.times) if t >= db.killed.at_s]
    assert all(db.cpu_received[i] == 0 and db.memory_mib[i] == 0 for i in after)
    assert all(db.cpu_needed[i] > 0 for i in after)  # its users still need it


def test_the_lab_tells_each_eras_leak_story():
    victims = {
        era.key: run(era, LAB, scenarios.lab_apps(leak=True)).victims
        for era in (Traditional(), Virtualized(), Containerized())
    }
    assert victims["traditional"][0] != "batch"
    assert victims["virtualized"] == ("batch",)
    assert victims["container"] == ("batch",)


def test_without_limits_the_kubelets_oom_score_adj_still_points_at_the_leaker():
    # No memory limit: the server runs out, and the kernel chooses. The kubelet's Burstable
    # oom_score_adj (1000 - 1000 * request / capacity) favours whoever is furthest over its
    # request, so the big database that stays within its request survives.
    timeline = run(Containerized(limits=False), LAB, scenarios.lab_apps(leak=True))
    first = timeline.kills[0]
    assert (first.app, first.reason) == ("batch", "out of memory")


# Random apps on a large server: who may the OOM killer take?

BIG = Server(cores=64, memory_mib=256 * 1024)


@st.composite
def apps(draw):
    count = draw(st.integers(min_value=2, max_value=5))
    result = []
    for i in range(count):
        memory = draw(st.floats(min_value=256, max_value=16 * 1024))
        result.append(
            App(
                f"app{i}",
                cpu_request=draw(st.floats(min_value=0.1, max_value=4)),
                memory_mib=memory,
                working_set_mib=draw(st.floats(min_value=0, max_value=1)) * memory,
                leak_mib_per_s=draw(st.sampled_from([0, 0, 50, 400, 2000])),
            )
        )
    return result


@settings(max_examples=60)
@given(apps())
def test_a_container_with_limits_or_a_vm_only_ever_loses_the_leaking_app(apps):
    for era in (Containerized(limits=True), Virtualized()):
        timeline = run(era, BIG, apps, seconds=120)
        assert all(kill.victim_was_leaking for kill in timeline.kills), era.title


@settings(max_examples=60)
@given(apps())
def test_the_bare_metal_oom_killer_always_takes_the_largest_resident_set(apps):
    timeline = run(Traditional(), BIG, apps, seconds=120)
    dead = set()
    for kill in timeline.kills:
        alive = [app for app in apps if app.name not in dead]
        largest = max(app.working_set_at(kill.at_s) for app in alive)
        assert kill.working_set_mib == pytest.approx(largest)
        dead.add(kill.app)


def test_apps_needing_different_package_versions_cannot_share_one_os():
    apps = (scenarios.web(), scenarios.legacy_shop())
    with pytest.raises(CannotShare, match="php 8.2 .* php 7.4"):
        run(Traditional(), LAB, apps)
    for era in (Virtualized(), Containerized()):
        run(era, LAB, apps)


def test_vms_that_do_not_fit_are_refused_in_plain_words():
    small = Server(cores=4, memory_mib=16 * 1024)
    with pytest.raises(DoesNotFit, match="cores of 4"):
        run(Virtualized(), small, scenarios.lab_apps())


def test_the_same_inputs_give_the_same_timeline():
    one = run(Containerized(limits=False), LAB, scenarios.lab_apps(7, leak=True))
    two = run(Containerized(limits=False), LAB, scenarios.lab_apps(7, leak=True))
    assert one == two
