"""Notebook 00's environment check: the slider drives the wave, and the versions are told truly.

The browser test proves the same in JupyterLab; these tests pin down the Python side, which is
what a learner's drag reaches.
"""

from importlib import metadata

import pytest

from k8skit.widgets.env_check import (
    COURSE_PACKAGES,
    environment_check,
    versions_report,
    wave,
    wave_figure,
)


def local_maxima(ys: list[float]) -> int:
    return sum(1 for i in range(1, len(ys) - 1) if ys[i - 1] < ys[i] >= ys[i + 1])


@pytest.mark.parametrize("frequency", range(1, 7))
def test_the_wave_has_as_many_crests_as_its_title_says(frequency):
    _, ys = wave(frequency)
    assert local_maxima(ys) == frequency
    assert f"{frequency} full wave" in wave_figure(frequency).layout.title.text


def test_moving_the_slider_redraws_the_wave_and_its_title():
    slider, figure = environment_check().children
    slider.value = 3
    assert list(figure.data[0].y) == wave(3)[1]
    assert figure.layout.title.text.startswith("Frequency 3")


def test_the_live_wave_matches_the_plain_figure_at_the_same_frequency():
    slider, live = environment_check(frequency=1).children
    slider.value = 3
    plain = wave_figure(3)
    assert list(live.data[0].y) == list(plain.data[0].y)
    assert live.layout.title.text == plain.layout.title.text


def test_the_slider_reaches_the_frequency_notebook_00_asks_for():
    slider, _ = environment_check().children
    assert slider.min <= 3 <= slider.max


def test_versions_report_gives_python_and_each_course_package_as_pip_requirements():
    lines = versions_report().splitlines()
    assert lines[0].startswith("python==3.")
    assert lines[1:] == [f"{name}=={metadata.version(name)}" for name in COURSE_PACKAGES]


def test_versions_report_names_a_missing_package_and_the_fix():
    (line,) = versions_report(("no-such-course-package",)).splitlines()[1:]
    assert line.startswith("no-such-course-package: NOT INSTALLED")
    assert "README" in line
