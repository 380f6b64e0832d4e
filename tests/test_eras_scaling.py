"""The scale-out race: how fast each era adds capacity and how much traffic is lost meanwhile."""

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from k8skit.eras import Containerized, Surge, Traditional, Virtualized, scale_out, scenarios
from k8skit.eras.defaults import SECONDS_PER_DAY

startups = st.floats(min_value=0, max_value=600)
surges = st.builds(
    Surge,
    base_rps=st.floats(min_value=0, max_value=1000),
    peak_rps=st.floats(min_value=0, max_value=10000),
    start_s=st.floats(min_value=0, max_value=300),
    duration_s=st.floats(min_value=0, max_value=600),
)


def app(startup_s):
    return replace(scenarios.web(), startup_s=startup_s)


@given(startups)
def test_containers_are_ready_before_vms_and_vms_before_new_servers(startup_s):
    ready = {
        era.key: era.new_capacity_s(app(startup_s))
        for era in (Traditional(), Virtualized(), Containerized())
    }
    assert ready["container"] < ready["virtualized"] < ready["traditional"]
    assert ready["traditional"] > SECONDS_PER_DAY


@given(surges, startups)
def test_served_traffic_is_demand_capped_by_capacity(surge, startup_s):
    for era in (Traditional(), Virtualized(), Containerized()):
        race = scale_out(era, app(startup_s), surge)
        for demand, capacity, served in zip(
            race.demand_rps, race.capacity_rps, race.served_rps, strict=True
        ):
            assert served == min(demand, capacity)
        assert race.unserved_requests >= 0
        assert race.times[0] == 0 and race.times[-1] == 600


@given(surges, startups, st.floats(min_value=1, max_value=300))
def test_a_slower_app_never_loses_less_traffic(surge, startup_s, extra_s):
    era = Containerized()
    fast = scale_out(era, app(startup_s), surge)
    slow = scale_out(era, app(startup_s + extra_s), surge)
    assert slow.unserved_requests >= fast.unserved_requests - 1e-6


def test_no_capacity_is_ordered_when_the_surge_fits():
    race = scale_out(Virtualized(), scenarios.web(), Surge(base_rps=200, peak_rps=200))
    assert race.ready_at_s is None and race.unserved_requests == 0 and race.in_time


def test_only_containers_beat_a_one_minute_surge_and_bare_metal_never_does():
    surge = Surge(base_rps=200, peak_rps=800, start_s=60, duration_s=60)
    verdicts = {
        era.key: scale_out(era, scenarios.web(), surge).in_time
        for era in (Traditional(), Virtualized(), Containerized())
    }
    assert verdicts == {"traditional": False, "virtualized": False, "container": True}


def test_traffic_above_capacity_is_lost_until_new_capacity_arrives():
    surge = Surge(base_rps=200, peak_rps=800, start_s=60, duration_s=120)
    race = scale_out(Containerized(), scenarios.web(), surge)
    lost_per_second = surge.peak_rps - surge.base_rps
    assert race.unserved_requests == lost_per_second * (race.ready_at_s - surge.start_s)
