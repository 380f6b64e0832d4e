"""Packing: how many servers each era needs and where the servers' resources go."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from k8skit.eras import (
    ERAS,
    App,
    Containerized,
    Server,
    Traditional,
    Virtualized,
    copies_per_server,
    pack,
    scenarios,
)
from k8skit.eras.model import APPS, STRANDED

GIB = 1024

servers = st.builds(
    Server,
    cores=st.integers(min_value=4, max_value=128),
    memory_mib=st.integers(min_value=8, max_value=512).map(lambda gib: gib * GIB),
)
app_sizes = st.tuples(
    st.floats(min_value=0.1, max_value=6), st.floats(min_value=128, max_value=24 * GIB)
)


@given(servers, app_sizes, st.integers(min_value=1, max_value=80))
def test_containers_pack_at_least_as_densely_as_vms(server, size, count):
    fleet = scenarios.fleet(count, *size)
    vms = pack(Virtualized(), server, fleet)
    containers = pack(Containerized(), server, fleet)
    assert len(containers.unplaced) <= len(vms.unplaced)
    if not vms.unplaced:
        assert containers.server_count <= vms.server_count
        assert containers.apps_per_server >= vms.apps_per_server
        assert (containers.overhead_per_app.total_memory
                < vms.overhead_per_app.total_memory)


@given(servers, app_sizes)
def test_one_server_holds_more_containers_than_vms(server, size):
    app = App("svc", cpu_request=size[0], memory_mib=size[1])
    assert copies_per_server(Containerized(), server, app) >= copies_per_server(
        Virtualized(), server, app)


def test_on_a_rack_server_containers_fit_more_small_apps_than_vms():
    app = App("svc", cpu_request=0.5, memory_mib=2 * GIB)
    server = scenarios.PACKING_SERVER
    assert copies_per_server(Containerized(), server, app) > copies_per_server(
        Virtualized(), server, app)


@given(servers, app_sizes, st.integers(min_value=1, max_value=60), st.booleans())
def test_every_core_and_mib_of_the_servers_is_accounted_for(server, size, count, share):
    fleet = scenarios.fleet(count, *size)
    for era in (Traditional(share_servers=share), Virtualized(), Containerized()):
        packing = pack(era, server, fleet)
        breakdown = packing.breakdown
        assert breakdown.total_cpu == pytest.approx(packing.server_count * server.cores)
        assert breakdown.total_memory == pytest.approx(packing.server_count * server.memory_mib)
        # Nothing is overbooked: what is left over is never negative.
        assert breakdown.cpu_cores.get(STRANDED, 0) >= -1e-6
        assert breakdown.memory_mib.get(STRANDED, 0) >= -1e-6
        assert packing.placed_count + len(packing.unplaced) == count


def test_apps_that_need_different_package_versions_never_share_a_bare_metal_server():
    fleet = scenarios.fleet(20, 0.5, GIB)
    packing = pack(Traditional(), scenarios.PACKING_SERVER, fleet)
    versions = {app.name: dict(app.packages)["php"] for app in fleet}
    for names in packing.servers:
        assert len({versions[name] for name in names}) == 1
    assert packing.server_count == 2
    # Containers and VMs carry their own libraries.
    assert pack(Containerized(), scenarios.PACKING_SERVER, fleet).server_count == 1


def test_a_server_per_app_strands_most_of_the_servers():
    fleet = scenarios.fleet(10, 0.5, GIB)
    packing = pack(Traditional(share_servers=False), scenarios.PACKING_SERVER, fleet)
    assert packing.server_count == 10
    assert all(len(names) == 1 for names in packing.servers)
    stranded = packing.breakdown.memory_mib[STRANDED] / packing.breakdown.total_memory
    assert stranded > 0.9


def test_an_app_bigger_than_a_server_is_left_out_not_raised():
    huge = App("huge", cpu_request=1, memory_mib=64 * GIB)
    small = App("small", cpu_request=1, memory_mib=GIB)
    for era in ERAS:
        packing = pack(era, Server(cores=8, memory_mib=32 * GIB), [huge, small])
        assert packing.unplaced == ("huge",)
        assert packing.servers == (("small",),)


def test_vms_strand_what_their_fixed_sizes_round_up():
    # 1.2 cores becomes 2 vCPUs; 2.5 GiB plus a 1 GiB guest OS becomes 4 GiB.
    app = App("svc", cpu_request=1.2, memory_mib=2.5 * GIB)
    footprint = Virtualized().app_footprint(app)
    assert footprint.cpu_cores[APPS] == pytest.approx(1.2)
    assert footprint.memory_mib[STRANDED] == pytest.approx(0.5 * GIB)
    assert footprint.total_cpu == pytest.approx(2 + Virtualized().vm_overhead_cpu_cores)


@given(servers, st.tuples(st.floats(min_value=0.5, max_value=6),
                          st.floats(min_value=512, max_value=24 * GIB)))
def test_copies_per_server_is_what_packing_puts_on_the_first_server(server, size):
    app = App("svc", cpu_request=size[0], memory_mib=size[1])
    for era in ERAS:
        copies = copies_per_server(era, server, app)
        if copies:
            packing = pack(era, server, [app] * (copies + 1))
            assert len(packing.servers[0]) == copies


def test_a_smaller_guest_os_fits_more_vms():
    app = App("svc", cpu_request=0.5, memory_mib=GIB / 2)
    server = Server(cores=64, memory_mib=64 * GIB)
    default = copies_per_server(Virtualized(), server, app)
    lean = copies_per_server(Virtualized(guest_os_memory_mib=256), server, app)
    assert lean > default
