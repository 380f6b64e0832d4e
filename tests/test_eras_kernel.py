"""The Linux and kubelet rules the eras share: CFS sharing, cgroup shares, the OOM killer."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8skit.eras.kernel import (
    CpuClaim,
    OomCandidate,
    choose_oom_victim,
    cpu_shares,
    fair_share,
    oom_badness,
    qos_oom_score_adj,
)

GIB = 1024

claims = st.lists(
    st.builds(
        CpuClaim,
        weight=st.floats(min_value=0.01, max_value=100),
        wants=st.floats(min_value=0, max_value=64),
    ),
    min_size=1,
    max_size=8,
)
capacities = st.floats(min_value=0, max_value=128)


@given(capacities, claims)
def test_fair_share_never_gives_more_than_asked_or_than_there_is(capacity, claims):
    given_cores = fair_share(capacity, claims)
    assert all(g <= c.wants + 1e-9 for g, c in zip(given_cores, claims, strict=True))
    assert sum(given_cores) <= capacity + 1e-6


@given(capacities, claims)
def test_fair_share_leaves_no_cpu_idle_while_someone_wants_it(capacity, claims):
    given_cores = fair_share(capacity, claims)
    if sum(c.wants for c in claims) <= capacity:
        assert given_cores == pytest.approx([c.wants for c in claims])
    else:
        assert sum(given_cores) == pytest.approx(capacity)


@given(capacities, claims)
def test_cpu_is_split_by_weight_among_those_who_want_more(capacity, claims):
    given_cores = fair_share(capacity, claims)
    starved = [
        (g / c.weight)
        for g, c in zip(given_cores, claims, strict=True)
        if g < c.wants - 1e-6
    ]
    # Everyone held back gets the same CPU per unit of weight.
    if starved:
        assert max(starved) == pytest.approx(min(starved), rel=1e-6, abs=1e-9)


def test_a_heavier_claim_gets_more_under_contention():
    light, heavy = fair_share(3, [CpuClaim(1, 10), CpuClaim(2, 10)])
    assert (light, heavy) == pytest.approx((1, 2))


def test_cpu_shares_follow_the_kubelet_conversion():
    # pkg/kubelet/cm/helpers_linux.go MilliCPUToShares: 1024 per CPU, at least 2.
    assert cpu_shares(1) == 1024
    assert cpu_shares(0.25) == 256
    assert cpu_shares(0) == 2
    assert cpu_shares(0.001) == 2


def test_qos_oom_score_adj_as_the_kubernetes_docs_give_it():
    assert qos_oom_score_adj(GIB, guaranteed=True, machine_memory_mib=16 * GIB) == -997
    assert qos_oom_score_adj(None, guaranteed=False, machine_memory_mib=16 * GIB) == 1000
    # Burstable: 1000 - 1000 * request / capacity; a 4Gi request on 16Gi gives 750.
    assert qos_oom_score_adj(4 * GIB, guaranteed=False, machine_memory_mib=16 * GIB) == 750
    # ... kept within 2..999.
    assert qos_oom_score_adj(16 * GIB, guaranteed=False, machine_memory_mib=16 * GIB) == 2
    assert qos_oom_score_adj(0.001, guaranteed=False, machine_memory_mib=16 * GIB) == 999


def test_the_oom_killer_takes_the_largest_resident_set_not_the_leaker():
    candidates = [OomCandidate("leaker", 2 * GIB), OomCandidate("database", 6 * GIB)]
    assert choose_oom_victim(candidates, total_mib=16 * GIB) == "database"


def test_oom_score_adj_can_protect_a_large_process():
    candidates = [
        OomCandidate("guaranteed-db", 6 * GIB, oom_score_adj=-997),
        OomCandidate("burstable-job", 2 * GIB, oom_score_adj=900),
    ]
    assert choose_oom_victim(candidates, total_mib=16 * GIB) == "burstable-job"


def test_oom_score_adj_minus_1000_is_never_killed():
    assert oom_badness(8 * GIB, -1000, 16 * GIB) is None
    assert choose_oom_victim([OomCandidate("init", 8 * GIB, -1000)], 16 * GIB) is None


def test_equal_scores_go_to_the_later_task_as_in_oom_evaluate_task():
    candidates = [OomCandidate("first", GIB), OomCandidate("second", GIB)]
    assert choose_oom_victim(candidates, total_mib=16 * GIB) == "second"
