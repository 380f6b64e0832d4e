"""How long one interaction with chapter 1's labs takes: control change -> model -> figure.

For every control of the isolation lab, the packing lab and the scale-out race, the control is
set to a series of seeded random values, as a learner dragging it would; each assignment runs
the lab's handler synchronously (recompute the model, build the patch, update the FigureWidget
in place), and its wall time is one interaction. The model's share is timed separately. The
budget is 50 ms per interaction.

Run: ``python benchmarks/bench_eras_widgets.py [--changes 60]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import ipywidgets as widgets

from k8skit.widgets.eras import IsolationLab, PackingLab, ScaleOutRace

BUDGET_MS = 50.0


def values_for(control, rng: random.Random, count: int) -> list:
    if isinstance(control, (widgets.IntSlider, widgets.FloatSlider)):
        steps = round((control.max - control.min) / control.step)
        return [control.min + rng.randint(0, steps) * control.step for _ in range(count)]
    if isinstance(control, widgets.ToggleButtons):
        return [rng.choice(control.options) for _ in range(count)]
    return [i % 2 == 0 for i in range(count)]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=60, help="interactions per control")
    args = parser.parse_args()
    rng = random.Random(0)
    print(f"{'lab':<14}{'control':<28}{'median ms':>10}{'p95 ms':>9}{'model ms':>10}")
    everything = []
    for make in (IsolationLab, PackingLab, ScaleOutRace):
        start = time.perf_counter()
        lab = make()
        built_ms = (time.perf_counter() - start) * 1000
        for control in lab.controls:
            interaction, model = [], []
            for value in values_for(control, rng, args.changes):
                start = time.perf_counter()
                control.value = value
                interaction.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                lab.result()
                model.append((time.perf_counter() - start) * 1000)
            everything += interaction
            print(f"{make.__name__:<14}{control.description:<28}"
                  f"{statistics.median(interaction):>10.1f}{percentile(interaction, 0.95):>9.1f}"
                  f"{statistics.median(model):>10.1f}")
        print(f"{make.__name__:<14}{'(first build, FigureWidget)':<28}{built_ms:>10.0f}")
    p95 = percentile(everything, 0.95)
    print(f"\nall {len(everything)} interactions: median {statistics.median(everything):.1f} ms, "
          f"p95 {p95:.1f} ms, max {max(everything):.1f} ms (budget {BUDGET_MS:g} ms: "
          f"{'within' if p95 < BUDGET_MS else 'OVER'})")


if __name__ == "__main__":
    main()
