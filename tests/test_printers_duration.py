"""HumanDuration boundaries (apimachinery/pkg/util/duration/duration.go)."""

import pytest

from k8skit.kubectl.printers.duration import age, human_duration

MINUTE, HOUR, DAY = 60, 3600, 86400


@pytest.mark.parametrize(("seconds", "shown"), [
    (-5, "<invalid>"), (-0.5, "0s"), (0, "0s"), (59, "59s"), (119, "119s"), (120, "2m"),
    (150, "2m30s"), (9 * MINUTE + 59, "9m59s"), (10 * MINUTE, "10m"), (10 * MINUTE + 30, "10m"),
    (3 * HOUR - 1, "179m"), (3 * HOUR, "3h"), (3 * HOUR + 25 * MINUTE, "3h25m"),
    (8 * HOUR - 1, "7h59m"), (8 * HOUR, "8h"), (47 * HOUR + 59 * MINUTE, "47h"),
    (48 * HOUR, "2d"), (2 * DAY + 5 * HOUR, "2d5h"), (8 * DAY - 1, "7d23h"), (8 * DAY, "8d"),
    (400 * DAY, "400d"), (2 * 365 * DAY, "2y"), (3 * 365 * DAY + 10 * DAY, "3y10d"),
    (9 * 365 * DAY, "9y"),
])
def test_human_duration(seconds, shown):
    assert human_duration(seconds) == shown


def test_age_of_a_timestamp_against_the_simulated_clock():
    assert age("2026-01-01T00:00:05Z", 65) == "60s"
    assert age(None, 10) == "<unknown>"
