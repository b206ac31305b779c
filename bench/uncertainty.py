"""Benchmarks of the uncertainty commands, in processor seconds as well as wall time.

On a shared machine the wall time says more about the neighbours than about
flowsim; the processor time of a serial run (one process does every
replication) does not, and divided by the cores it bounds the wall time on an
idle machine.

    python bench/uncertainty.py [--samples 200]
"""
from __future__ import annotations

import argparse
import os
import time

import flowsim
from flowsim.runner import SerialRunner


def timed(label: str, work) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    answer = work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label}: {cpu:.1f} processor s, {wall:.1f} s wall, load average {os.getloadavg()[0]:.1f}; {answer}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    current = flowsim.load_scenario("scenarios/barnet_current.yaml")
    new = flowsim.load_scenario("scenarios/barnet_new_model.yaml")

    def seek():
        found = flowsim.goal_seek(current, ["within_target.full_assessment >= 0.9"],
                                  "roles.social_worker.fte=10:60", runner=SerialRunner())
        return f"answer {found.answer}, {found.replications_run} replications"

    def sample():
        found = flowsim.run_with_input_uncertainty(new, samples=args.samples, reps=10, runner=SerialRunner())
        return f"{len(found.sampled)} samples + {len(found.point)} replications at the point values"

    timed("goal-seek, barnet_current, social worker FTE 10:60 for 90% within 28 days", seek)
    timed(f"input uncertainty, barnet_new_model, {args.samples} samples", sample)


if __name__ == "__main__":
    main()
