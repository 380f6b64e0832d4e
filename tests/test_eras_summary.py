"""The summary table and the model's defaults: computed, sourced, consistent with the model."""

from k8skit.eras import ERAS, Containerized, defaults, scenarios, summary, units


def test_the_summary_has_a_column_per_era_and_the_chapter_aspects():
    table = summary()
    assert table.columns == tuple(era.title for era in ERAS)
    aspects = " | ".join(aspect for aspect, _ in table.rows)
    for word in ("noisy", "leak", "overhead per app", "apps per server", "new capacity",
                 "ship", "elsewhere"):
        assert word in aspects
    assert all(cell.strip() for _, cells in table.rows for cell in cells)


def test_the_summary_says_what_the_labs_show():
    rows = summary().as_dict()
    noisy = next(cells for aspect, cells in rows.items() if aspect.startswith("noisy"))
    assert "less CPU" in noisy["Traditional (bare metal)"]
    assert noisy["Virtualized (VMs)"] == "no effect on the others"
    assert noisy["Container"].startswith("with limits: no effect on the others; without: web")
    leak = rows["memory leak in batch"]
    assert "not the leaker" in leak["Traditional (bare metal)"]
    assert leak["Container"] == "kills batch only"
    ready = rows["new capacity ready in"]
    assert ready["Container"] == units.duration(Containerized().new_capacity_s(scenarios.web()))


def test_every_default_says_where_it_comes_from():
    names = [d.name for d in defaults.DEFAULTS]
    assert len(names) == len(set(names))
    for default in defaults.DEFAULTS:
        assert getattr(defaults, default.name) is default
        assert default.meaning and default.unit and len(default.source) > 20


def test_durations_and_sizes_read_naturally():
    assert units.duration(13) == "13 s"
    assert units.duration(375) == "6.25 min"
    assert units.duration(14 * defaults.SECONDS_PER_DAY) == "14 days"
    assert units.memory(768) == "768 MiB"
    assert units.memory(1536) == "1.5 GiB"
    assert units.cores(1) == "1 core"
    assert units.cores(0.0025) == "0.003 cores"
