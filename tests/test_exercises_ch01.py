"""Chapter 1's exercises turn away the mistakes a learner is likely to make, saying why."""

import pytest

from k8skit.eras import Containerized, Virtualized, scenarios, units
from k8skit.exercises import Status
from k8skit.exercises.ch01 import Q1_APP, q1, q2, q3

WRONG = [
    (q1, 10, "whole vCPUs"),  # 16 cores / 1.5, ignoring VMs
    (q1, 21, "guest OS"),  # 64 GiB / 3 GiB, ignoring the guest OS and CPU
    (q1, 8, "more than fit"),
    (q1, 6.5, "whole number"),
    (q2, "db", "ran out early"),  # what happened on the smaller server
    (q2, "web", "holds less memory"),
    (q2, "the database", "expected one of"),
    (q3, ["container", "virtualized"], "virtualized is too late"),
    (q3, [], "container makes it"),
    (q3, "traditional", "traditional is too late"),
    (q3, "vm", "expected one of"),
]


@pytest.mark.parametrize("exercise, answer, says", WRONG)
def test_a_likely_mistake_is_not_yet_with_a_reason(exercise, answer, says):
    verdict = exercise.evaluate(answer)
    assert verdict.status is Status.NOT_YET
    assert says in verdict.message


@pytest.mark.parametrize(
    "exercise, answer",
    [(q2, " Batch "), (q3, ("container",)), (q3, "container"), (q1, "7")],
)
def test_right_answers_are_accepted_in_any_reasonable_shape(exercise, answer):
    assert exercise.evaluate(answer).status is Status.CORRECT


def test_hints_quote_the_models_numbers():
    vm = Virtualized().vm_size(Q1_APP)
    assert f"{vm.vcpus} vCPUs" in q1.hints[1]
    assert units.memory(scenarios.db().working_set_mib) in q2.hints[1]
    ready = units.duration(Containerized().new_capacity_s(scenarios.web()))
    assert f"container {ready}" in q3.hints[2]

