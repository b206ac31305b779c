"""KPIs of replications of scenario variants, each replication run once and kept.

Goal-seek, replications guidance and sensitivity all ask for "n replications of
this variant" again and again, sometimes more of a variant already run.
Replication i of every variant uses the same seed
(``SeedSequence(seed).spawn(n)[i]``, whatever n), so variants differ only by
what was changed (common random numbers), and asking for more replications
runs only the new ones.
"""
from __future__ import annotations

import math
from typing import Callable

import pandas as pd

from flowsim.engine.replications import MAX_REPS, kpi_batch
from flowsim.errors import FlowsimError
from flowsim.runner import Runner
from flowsim.scenario.load import scenario_hash
from flowsim.scenario.schema import Scenario


class Evaluator:
    """Replications of scenarios on one runner and one seed, cached by the scenario's content."""

    def __init__(self, runner: Runner, seed: int = 0, progress: Callable[[int], None] | None = None):
        self.runner, self.seed, self.progress = runner, seed, progress
        self._done: dict[str, dict[int, dict[str, float]]] = {}
        self.replications_run = 0

    def kpis(self, scenario: Scenario, reps: int) -> pd.DataFrame:
        """The first ``reps`` replications' KPIs: one row per run, one column per KPI."""
        return self.many([scenario], reps)[0]

    def many(self, scenarios: list[Scenario], reps: int) -> list[pd.DataFrame]:
        """The first ``reps`` replications of each scenario, all run at once (in parallel)."""
        if not 1 <= reps <= MAX_REPS:
            raise FlowsimError(f"replications must be between 1 and {MAX_REPS:,}; got {reps}")
        keys = [scenario_hash(s) for s in scenarios]
        missing = {}
        for key, scenario in zip(keys, scenarios):
            done = self._done.setdefault(key, {})
            todo = [i for i in range(reps) if i not in done]
            if todo and key not in missing:
                missing[key] = (scenario, todo)
        tasks = sum(len(todo) for _, todo in missing.values())
        size = max(1, math.ceil(tasks / (2 * max(1, self.runner.workers))))
        futures = {}
        for key, (scenario, todo) in missing.items():
            for first in range(0, len(todo), size):
                indices = todo[first:first + size]
                future = self.runner.submit(kpi_batch, scenario, self.seed, max(indices) + 1, indices)
                futures[future] = key
        for future in self.runner.as_completed(futures):
            batch = future.result()
            self._done[futures[future]].update(batch)
            self.replications_run += len(batch)
            if self.progress:
                self.progress(len(batch))
        return [pd.DataFrame([self._done[key][i] for i in range(reps)]) for key in keys]
