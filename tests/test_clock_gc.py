"""Running the simulated clock, or a dashboard control, leaves the user's garbage collector
settings as it found them."""

from __future__ import annotations

import gc

import pytest

from k8skit import Cluster


def test_the_collector_settings_are_restored_after_a_run():
    before = gc.get_threshold()
    gc.set_threshold(500, 7, 3)
    try:
        cluster = Cluster(nodes=1, seed=0)
        seen = []
        cluster.clock.call_later(1, lambda: seen.append((gc.isenabled(), gc.get_threshold())))
        cluster.run(5)
        assert gc.get_threshold() == (500, 7, 3)
        enabled, during = seen[0]
        assert enabled and during[:2] == (500, 7) and during[2] > 3
    finally:
        gc.set_threshold(*before)


def test_the_collector_settings_are_restored_when_a_callback_fails():
    before = gc.get_threshold()
    cluster = Cluster(nodes=1, seed=0)

    def fail() -> None:
        raise RuntimeError("boom")

    cluster.clock.call_later(1, fail)
    with pytest.raises(RuntimeError, match="boom"):
        cluster.run(2)
    assert gc.get_threshold() == before


def test_a_dashboard_control_puts_full_collections_off_until_it_is_done():
    from k8skit.widgets.cluster_dashboard import Dashboard

    before = gc.get_threshold()
    dashboard = Dashboard(Cluster(nodes=1, seed=0))
    dashboard.redraw = lambda: None
    seen = []

    def handler() -> None:
        seen.append(gc.get_threshold())
        raise RuntimeError("the node is already off")

    dashboard.guarded(handler)()
    assert seen[0][:2] == before[:2] and seen[0][2] > before[2]
    assert gc.get_threshold() == before
    assert dashboard.problem and dashboard.message_text == "the node is already off"
