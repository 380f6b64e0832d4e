"""Chapter 1's labs driven as a learner would: every control moves the figure, and no input,
however extreme or fast, breaks it."""

import random

import ipywidgets as widgets
import pytest

from k8skit.viz import eras as figures
from k8skit.widgets.eras import IsolationLab, PackingLab, ScaleOutRace

LABS = {
    "isolation": (IsolationLab, figures.isolation_figure),
    "packing": (PackingLab, figures.packing_figure),
    "scale-out": (ScaleOutRace, figures.scale_out_figure),
}


@pytest.fixture(scope="module", params=sorted(LABS))
def lab(request):
    make, figure_function = LABS[request.param]
    lab = make()
    lab.figure_function = figure_function
    return lab


def drawn(figure):
    """What plotly draws (a FigureWidget's trace ids and an emptied shape list draw nothing)."""
    data = figure.to_plotly_json()
    data["data"] = [{k: v for k, v in trace.items() if k != "uid"} for trace in data["data"]]
    data["layout"] = {key: value for key, value in data["layout"].items() if value != []}
    return data


def shows_its_controls(lab):
    """The figure is exactly what a fresh figure for the controls' values would be."""
    return drawn(lab.figure) == drawn(lab.figure_function(lab.result()))


def sliders(lab):
    return [c for c in lab.controls if isinstance(c, (widgets.IntSlider, widgets.FloatSlider))]


def test_every_slider_step_changes_the_figure(lab):
    for slider in sliders(lab):
        before = drawn(lab.figure)
        step = slider.step if slider.value + slider.step <= slider.max else -slider.step
        slider.value += step
        assert drawn(lab.figure) != before, slider.description
        assert shows_its_controls(lab)


def test_every_toggle_changes_the_figure_or_is_disabled(lab):
    for control in lab.controls:
        if isinstance(control, widgets.Checkbox) and not control.disabled:
            before = drawn(lab.figure)
            control.value = not control.value
            assert drawn(lab.figure) != before, control.description
        if isinstance(control, widgets.ToggleButtons):
            for option in control.options:
                control.value = option
                assert shows_its_controls(lab)


def test_controls_driven_to_their_extremes_keep_the_figure_valid(lab):
    for slider in sliders(lab):
        for value in (slider.min, slider.max):
            slider.value = value
            assert shows_its_controls(lab), (slider.description, value)
            assert not lab.figure.layout.title.text.startswith("Cannot show")
    for slider in sliders(lab):
        slider.value = slider.min
    assert shows_its_controls(lab)
    for slider in sliders(lab):
        slider.value = slider.max
    assert shows_its_controls(lab)


def test_many_rapid_changes_leave_the_figure_matching_the_last_values(lab):
    rng = random.Random(1)
    controls = list(lab.controls)
    for _ in range(150):
        control = rng.choice(controls)
        if isinstance(control, (widgets.IntSlider, widgets.FloatSlider)):
            steps = round((control.max - control.min) / control.step)
            control.value = control.min + rng.randint(0, steps) * control.step
        elif isinstance(control, widgets.ToggleButtons):
            control.value = rng.choice(control.options)
        else:
            control.value = not control.value
    assert shows_its_controls(lab)


def test_the_limits_switch_only_applies_to_containers():
    lab = IsolationLab(era="virtualized")
    assert lab.limits.disabled
    lab.era.value = "container"
    assert not lab.limits.disabled
    with_limits = drawn(lab.figure)
    lab.limits.value = False
    assert drawn(lab.figure) != with_limits
    assert lab.figure.layout.title.text.startswith("Container (no limits)")


def test_the_isolation_lab_shows_who_was_killed():
    lab = IsolationLab(era="traditional", leak=True)
    assert "db (not the one leaking) killed" in lab.figure.layout.title.subtitle.text
    lab.era.value = "virtualized"
    assert lab.figure.layout.title.subtitle.text.startswith("batch killed")


def test_a_lab_is_a_widget_box_holding_its_controls_and_figure():
    lab = PackingLab()
    assert isinstance(lab, widgets.VBox)
    assert lab.children[1] is lab.figure
    assert tuple(lab.children[0].children) == lab.controls
