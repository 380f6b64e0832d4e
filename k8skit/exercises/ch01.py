"""Chapter 1 exercises: deployment history.

Every expected answer is computed from ``k8skit.eras`` with its defaults, so the exercises stay
right if a default changes; hints quote the same numbers.
"""

from __future__ import annotations

import math
from functools import cache

from k8skit.eras import (
    ERAS,
    App,
    Containerized,
    Server,
    Surge,
    Traditional,
    Virtualized,
    copies_per_server,
    defaults,
    run,
    scale_out,
    scenarios,
    units,
)
from k8skit.exercises.core import (
    AnswerError,
    Exercise,
    as_choice,
    as_choices,
    as_number,
    correct,
    not_yet,
)

# --- q1: how many VMs fit -----------------------------------------------------------------

Q1_SERVER = Server(cores=16, memory_mib=64 * defaults.MIB_PER_GIB)
Q1_APP = App("api", cpu_request=1.5, memory_mib=3 * defaults.MIB_PER_GIB)


@cache
def _q1_numbers() -> dict:
    vms = Virtualized()
    size = vms.vm_size(Q1_APP)
    per_vm = vms.app_footprint(Q1_APP)
    room = vms.server_overhead()
    return dict(
        answer=copies_per_server(vms, Q1_SERVER, Q1_APP),
        containers=copies_per_server(Containerized(), Q1_SERVER, Q1_APP),
        vcpus=size.vcpus,
        vm_memory=units.memory(size.memory_mib),
        per_vm_cpu=per_vm.total_cpu,
        per_vm_memory=units.memory(per_vm.total_memory),
        room_cpu=Q1_SERVER.cores - room.total_cpu,
        room_memory=units.memory(Q1_SERVER.memory_mib - room.total_memory),
        by_cpu=math.floor((Q1_SERVER.cores - room.total_cpu) / per_vm.total_cpu),
        by_memory=math.floor(
            (Q1_SERVER.memory_mib - room.total_memory) / per_vm.total_memory
        ),
        naive_cpu=math.floor(Q1_SERVER.cores / Q1_APP.cpu_request),
        naive_memory=math.floor(Q1_SERVER.memory_mib / Q1_APP.memory_mib),
    )


def _judge_vms(answer):
    n = as_number(answer, "a whole number of VMs")
    if n != int(n):
        raise AnswerError(f"expected a whole number of VMs, got {answer!r}")
    q = _q1_numbers()
    if n == q["answer"]:
        return correct(
            f"{q['answer']} VMs. Each takes {q['per_vm_cpu']:g} cores ({q['vcpus']} whole vCPUs "
            f"plus hypervisor overhead) and {q['per_vm_memory']}, so CPU runs out first. "
            f"As containers, {q['containers']} copies would fit."
        )
    if n == q["naive_cpu"]:
        return not_yet(
            f"{q['naive_cpu']} is 16 cores / 1.5 cores, as if each app got exactly 1.5 cores and "
            "nothing else ran. A VM comes in whole vCPUs, and the hypervisor needs CPU too."
        )
    if n == q["naive_memory"]:
        return not_yet(
            f"{q['naive_memory']} counts only the apps' memory. Each VM also holds a guest OS, "
            "and CPU may run out before memory does."
        )
    direction = "more" if n > q["answer"] else "fewer"
    return not_yet(
        f"{n:g} is {direction} than fit. Size one VM first (whole vCPUs, whole GiB, a guest OS "
        "inside), then see whether CPU or memory runs out first."
    )


q1 = Exercise(
    id="ch01.q1",
    title="How many VMs fit on one server?",
    question=(
        "A server has 16 cores and 64 GiB. Each app needs 1.5 cores and 3 GiB, and runs in a "
        "VM of its own sized by the model's defaults. How many VMs fit on the server? "
        "Set `vms_that_fit`."
    ),
    answer_name="vms_that_fit",
    judge=_judge_vms,
    hints=(
        "Every app gets a VM, and a VM is a whole machine: whole vCPUs, memory in whole GiB, "
        "and a guest OS inside it.",
        f"One VM for this app: {_q1_numbers()['vcpus']} vCPUs (1.5 rounded up) and "
        f"{_q1_numbers()['vm_memory']} (3 GiB for the app plus "
        f"{units.memory(defaults.OS_MEMORY_MIB.value)} for the guest OS, rounded up). The "
        f"hypervisor adds {defaults.VM_OVERHEAD_CPU_CORES.value:g} cores and "
        f"{defaults.VM_OVERHEAD_MEMORY_MIB.value:g} MiB per VM, and keeps "
        f"{defaults.OS_CPU_CORES.value:g} cores and "
        f"{units.memory(defaults.OS_MEMORY_MIB.value)} for itself.",
        f"By CPU: {_q1_numbers()['room_cpu']:g} / {_q1_numbers()['per_vm_cpu']:g} cores per VM "
        f"= {_q1_numbers()['by_cpu']} VMs. By memory: {_q1_numbers()['room_memory']} / "
        f"{_q1_numbers()['per_vm_memory']} per VM = {_q1_numbers()['by_memory']} VMs. The "
        "smaller number wins (or let `copies_per_server` count).",
    ),
    solution_code="""
from k8skit.eras import App, Server, Virtualized, copies_per_server

server = Server(cores=16, memory_mib=64 * 1024)
app = App("api", cpu_request=1.5, memory_mib=3 * 1024)
vms_that_fit = copies_per_server(Virtualized(), server, app)
""",
    solution_note=(
        "Each VM rounds 1.5 cores up to 2 vCPUs and adds a guest OS, and the hypervisor takes "
        "its share: CPU runs out long before memory."
    ),
)

# --- q2: whom the OOM killer takes ------------------------------------------------------

Q2_SERVER = Server(cores=scenarios.LAB_SERVER.cores, memory_mib=24 * defaults.MIB_PER_GIB)


@cache
def _q2_first_kill():
    timeline = run(Traditional(), Q2_SERVER, scenarios.lab_apps(leak=True),
                   scenarios.LAB_SECONDS)
    return timeline.kills[0]


def _judge_victim(answer):
    name = as_choice(answer, [app.name for app in scenarios.lab_apps()])
    first = _q2_first_kill()
    held = units.memory(first.working_set_mib)
    if name == first.app:
        return correct(
            f"{first.app}: with 24 GiB, memory runs out only at {first.at_s:g} s, when "
            f"{first.app} holds {held}, more than anyone else. The OOM killer takes whoever "
            "holds the most at that moment, leaking or not."
        )
    if name == "db":
        return not_yet(
            "db died first on the 16 GiB server because memory ran out early. With 24 GiB it "
            f"runs out at {first.at_s:g} s: who holds the most memory then?"
        )
    return not_yet(f"{name} holds less memory than {first.app} when memory runs out.")


q2 = Exercise(
    id="ch01.q2",
    title="Whom does the OOM killer take?",
    question=(
        "The shop's three apps move to a traditional server with 8 cores and 24 GiB, and batch "
        "leaks 50 MiB/s again. Which app does the kernel's OOM killer kill first: 'web', 'db' "
        "or 'batch'? Set `oom_victim`."
    ),
    answer_name="oom_victim",
    judge=_judge_victim,
    hints=(
        "The OOM killer kills the process with the highest oom_badness: the memory it holds "
        "at the moment memory runs out (oom_score_adj is 0 for all three apps here).",
        "Memory runs out when the three working sets fill what the OS leaves for apps: "
        f"{units.memory(Q2_SERVER.memory_mib - defaults.OS_MEMORY_MIB.value)}. web and db hold "
        f"{units.memory(scenarios.web().working_set_mib)} and "
        f"{units.memory(scenarios.db().working_set_mib)}; batch starts at "
        f"{units.memory(scenarios.batch().working_set_mib)} and grows "
        f"{scenarios.LEAK_MIB_PER_S:g} MiB/s.",
        "So memory runs out when batch holds "
        f"{units.memory(_q2_first_kill().working_set_mib)} (at about "
        f"{_q2_first_kill().at_s:g} s). Compare that with db.",
    ),
    solution_code="""
from k8skit.eras import Server, Traditional, run, scenarios

server = Server(cores=8, memory_mib=24 * 1024)
timeline = run(Traditional(), server, scenarios.lab_apps(leak=True))
oom_victim = timeline.victims[0]
""",
    solution_note=(
        "On 16 GiB the innocent db died because memory ran out while batch was still small. "
        "With more memory, batch has grown past db by the time memory runs out. The kernel "
        "never asks who is leaking; it looks only at who holds the most."
    ),
)

# --- q3: which era meets a surge in time --------------------------------------------------

Q3_SURGE = Surge(base_rps=200, peak_rps=800, start_s=60, duration_s=60)
_ERA_KEYS = [era.key for era in ERAS]


@cache
def _q3_results() -> dict:
    return {era.key: scale_out(era, scenarios.web(), Q3_SURGE) for era in ERAS}


def _judge_in_time(answer):
    chosen = as_choices(answer, _ERA_KEYS)
    results = _q3_results()
    expected = {key for key, result in results.items() if result.in_time}
    waits = ", ".join(f"{key} {_wait(results[key])}" for key in _ERA_KEYS)
    if chosen == expected:
        return correct(
            f"{' and '.join(sorted(expected)) or 'none'}. New capacity arrives after the surge "
            f"began: {waits}; the surge lasts {units.duration(Q3_SURGE.duration_s)}."
        )
    reasons = [f"{key} is too late ({_wait(results[key])})" for key in sorted(chosen - expected)]
    reasons += [f"{key} makes it ({_wait(results[key])})" for key in sorted(expected - chosen)]
    return not_yet(
        "; ".join(reasons)
        + f". The surge lasts {units.duration(Q3_SURGE.duration_s)} from its start."
    )


def _wait(result) -> str:
    return units.duration(result.ready_at_s - Q3_SURGE.start_s)


q3 = Exercise(
    id="ch01.q3",
    title="Which era meets the surge in time?",
    question=(
        "Traffic jumps from 200 to 800 requests/s for 60 s; the app takes 10 s to start. Which "
        "eras get new capacity serving before the surge ends? Set `eras_in_time` to a list of "
        "some of 'traditional', 'virtualized', 'container' (possibly empty)."
    ),
    answer_name="eras_in_time",
    judge=_judge_in_time,
    hints=(
        f"Every era orders capacity {defaults.SCALING_REACTION_S.value:g} s after the surge "
        f"starts, so it has {Q3_SURGE.duration_s - defaults.SCALING_REACTION_S.value:g} s left.",
        "New capacity means: traditional, buy a server; virtualized, provision a VM, boot its "
        "OS, start the app; container, pull the image, start the process, start the app.",
        "Time to new capacity with the defaults: "
        + ", ".join(f"{era.key} {units.duration(era.new_capacity_s(scenarios.web()))}"
                    for era in ERAS)
        + ".",
    ),
    solution_code="""
from k8skit.eras import ERAS, Surge, scale_out, scenarios

surge = Surge(base_rps=200, peak_rps=800, start_s=60, duration_s=60)
eras_in_time = [era.key for era in ERAS if scale_out(era, scenarios.web(), surge).in_time]
""",
    solution_note=(
        "A container starts in seconds because no OS boots; a VM needs about a minute, and a "
        "server takes weeks to arrive."
    ),
)

EXERCISES = (q1, q2, q3)
