"""Chapter 1's figures and the course palette: labelled, consistent colours, patchable."""

import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from k8skit.eras import (
    ERAS,
    App,
    Containerized,
    Surge,
    Traditional,
    Virtualized,
    pack,
    run,
    scale_out,
    scenarios,
    summary,
)
from k8skit.viz import eras as figures
from k8skit.viz import palette

COLORS = set(palette.OKABE_ITO) | {palette.GREY, palette.LIGHT_GREY}


def isolation(era=None, noisy=6.0, leak=True):
    return run(era or Traditional(), scenarios.LAB_SERVER, scenarios.lab_apps(noisy, leak))


def packings(count=60, share=True):
    fleet = scenarios.fleet(count, 0.5, 2048)
    eras = (Traditional(share_servers=share), Virtualized(), Containerized())
    return [pack(era, scenarios.PACKING_SERVER, fleet) for era in eras]


def races(surge=scenarios.SURGE):
    return [scale_out(era, scenarios.web(), surge) for era in ERAS]


def all_figures():
    return {
        "isolation": figures.isolation_figure(isolation()),
        "packing": figures.packing_figure(packings()),
        "scale-out": figures.scale_out_figure(races()),
    }


def axes(figure, letter):
    layout = figure.layout.to_plotly_json()
    return {key: value for key, value in layout.items() if re.fullmatch(f"{letter}axis\\d*", key)}


@pytest.mark.parametrize("name", ["isolation", "packing", "scale-out"])
def test_every_axis_is_labelled_with_its_unit(name):
    figure = all_figures()[name]
    unit = re.compile(r"\((cores|GiB|s)\)|requests/s|servers|era")
    for key, axis in axes(figure, "y").items():
        assert unit.search(axis["title"]["text"]), (key, axis)
    titled_x = [axis for axis in axes(figure, "x").values() if axis.get("title")]
    assert titled_x and all(unit.search(axis["title"]["text"]) for axis in titled_x)


def trace_colors(figure):
    for trace in figure.data:
        for part in ("line", "marker"):
            color = getattr(getattr(trace, part, None), "color", None)
            if isinstance(color, str):
                yield color
            elif color is not None:
                yield from color


@pytest.mark.parametrize("name", ["isolation", "packing", "scale-out"])
def test_figures_take_their_colours_from_the_palette(name):
    assert set(trace_colors(all_figures()[name])) <= COLORS


def test_an_app_keeps_its_colour_in_every_era():
    colors = set()
    for era in (Traditional(), Virtualized(), Containerized()):
        figure = figures.isolation_figure(isolation(era))
        colors.add(next(t.line.color for t in figure.data if t.name == "web: gets"))
    assert colors == {palette.color_for("web")}


@pytest.mark.parametrize(
    "make, patch, before, after",
    [
        (figures.isolation_figure, figures.isolation_patch, isolation(), isolation(
            Containerized(limits=False), noisy=16, leak=False)),
        (figures.packing_figure, figures.packing_patch, packings(), packings(200, False)),
        (figures.scale_out_figure, figures.scale_out_patch, races(),
         races(Surge(base_rps=200, peak_rps=2000, start_s=60, duration_s=500))),
    ],
)
def test_patching_a_figure_gives_the_figure_of_the_new_result(make, patch, before, after):
    figure = make(before)
    patch(after).apply_to(figure)
    assert drawn(figure) == drawn(make(after))


def drawn(figure):
    """What plotly draws: an emptied list of shapes draws the same as no list."""
    data = figure.to_plotly_json()
    data["layout"] = {key: value for key, value in data["layout"].items() if value != []}
    return data


def test_a_patch_refuses_a_figure_it_was_not_made_for():
    with pytest.raises(ValueError, match="traces"):
        figures.packing_patch(packings()).apply_to(figures.scale_out_figure(races()))


def test_the_same_result_gives_the_same_figure():
    assert figures.isolation_figure(isolation()).to_json() == figures.isolation_figure(
        isolation()).to_json()


@settings(max_examples=40)
@given(st.floats(min_value=0.5, max_value=16), st.booleans(),
       st.sampled_from(["traditional", "virtualized", "container"]))
def test_the_plotted_lines_pass_through_every_simulated_point(noisy, leak, key):
    era = {"traditional": Traditional(), "virtualized": Virtualized(),
           "container": Containerized(limits=False)}[key]
    timeline = isolation(era, noisy, leak)
    figure = figures.isolation_figure(timeline)
    lines = iter(figure.data)
    expected = []
    for app in timeline.apps:
        expected += [app.cpu_needed, app.cpu_received]
    expected += [[mib / 1024 for mib in app.memory_mib] for app in timeline.apps]
    for values in expected:
        trace = next(lines)
        plotted = np.interp(timeline.times, trace.x, trace.y)
        assert plotted == pytest.approx(values, abs=1e-3)


def test_killed_apps_are_marked_where_and_when_they_died():
    timeline = isolation()
    figure = figures.isolation_figure(timeline)
    marks = next(trace for trace in figure.data if trace.name == "killed")
    assert list(marks.x) == [kill.at_s for kill in timeline.kills]
    assert [shape.x0 for shape in figure.layout.shapes] == list(marks.x)
    assert "not the one leaking" in figure.layout.title.subtitle.text


def test_packing_bars_add_up_to_the_servers_bought():
    results = packings()
    figure = figures.packing_figure(results)
    memory_bars = [t for t in figure.data[1:] if t.xaxis == "x2"]
    totals = np.sum([t.y for t in memory_bars], axis=0)
    expected = [p.server_count * p.server.memory_mib / 1024 for p in results]
    assert totals == pytest.approx(expected)
    assert list(figure.data[0].y) == [p.server_count for p in results]


def test_apps_too_big_for_a_server_are_reported_in_the_packing_figure():
    fleet = [App("huge", cpu_request=1, memory_mib=1024 * 1024)]
    results = [pack(era, scenarios.PACKING_SERVER, fleet) for era in ERAS]
    figure = figures.packing_figure(results)
    assert "too big for one server" in figure.layout.title.subtitle.text


def test_each_race_title_says_when_capacity_came_and_whether_in_time():
    results = races()
    figure = figures.scale_out_figure(results)
    titles = [annotation.text for annotation in figure.layout.annotations]
    for result, title in zip(results, titles, strict=True):
        assert title.startswith(result.era.title)
        assert ("in time" in title) == result.in_time


def test_the_summary_table_shows_every_cell_in_html_and_text():
    table = figures.summary_table(summary())
    html, text = table._repr_html_(), repr(table)
    for aspect, *cells in table.rows:
        for cell in (aspect, *cells):
            assert cell in text
            assert cell.replace("'", "&#x27;") in html
    assert 'id="' not in html  # nothing that changes between runs


def test_the_defaults_table_lists_every_default_and_marks_illustrative_ones():
    table = figures.defaults_table()
    assert len(table.rows) == len(figures.defaults.DEFAULTS)
    assert any(row[3].startswith("illustrative") for row in table.rows)


# --- palette ------------------------------------------------------------------------------


def test_an_apps_colour_is_the_same_in_every_python_process():
    code = "from k8skit.viz.palette import color_for; print(color_for('web'), color_for('db'))"
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    }
    assert outputs == {f"{palette.color_for('web')} {palette.color_for('db')}\n"}


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=7, unique=True))
def test_names_in_one_figure_get_distinct_colours(names):
    colors = palette.colors_for(names)
    assert len(set(colors.values())) == len(names)
    assert set(colors.values()) <= set(palette.PALETTE)


def test_a_name_keeps_its_own_colour_unless_another_took_it_first():
    assert palette.colors_for(["web", "db", "batch"]) == {
        name: palette.color_for(name) for name in ("web", "db", "batch")
    }


def test_status_colours_read_kubernetes_words():
    assert palette.status_color("Running") == palette.STATUS_COLORS["ok"]
    assert palette.status_color("CrashLoopBackOff") == palette.STATUS_COLORS["error"]
    assert palette.status_color("Pending") == palette.STATUS_COLORS["warning"]
    assert palette.status_color("something new") == palette.STATUS_COLORS["neutral"]


def test_translucent_colours_keep_their_hue():
    assert palette.with_alpha("#0072B2", 0.25) == "rgba(0, 114, 178, 0.25)"


def test_the_footprint_table_shows_what_each_era_adds_to_an_app():
    apps = scenarios.lab_apps()
    vms = figures.footprint_table(Virtualized(), apps)
    containers = figures.footprint_table(Containerized(), apps)
    assert [row[0] for row in vms.rows] == ["web", "db", "batch", "(each server)"]
    assert "guest OSes" in vms.columns and "guest OSes" not in containers.columns
    assert "container runtime" in containers.columns


def test_the_apps_table_shows_sizing_and_behaviour():
    table = figures.apps_table(scenarios.lab_apps(leak=True))
    batch = next(row for row in table.rows if row[0] == "batch")
    assert batch[5] == f"{scenarios.LEAK_MIB_PER_S:g} MiB/s"
    assert "php 8.2" in repr(table)
