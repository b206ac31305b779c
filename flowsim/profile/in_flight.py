"""The cases a service in its stride has open, for a run to start with.

A run that starts with only its waiting list and its caseload of packages
starts with an empty pipeline: nobody is half-way through an assessment or a
support plan, so its first weeks complete fewer of them and start fewer
packages than the service would. ``in_flight`` runs the scenario once (a
pilot of a few replications) and, for each case stage that has no open cases
at the start (and is not split by locality), opens as many as Little's law gives: arrivals a day × mean days
a case is open, each opened on average half that long ago. Everything else
the scenario starts with is kept. Each number written carries its source: the
pilot run.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from flowsim.engine import run
from flowsim.errors import FlowsimError
from flowsim.format import number
from flowsim.scenario import scenario_document, vary
from flowsim.scenario.load import scenario_from_document
from flowsim.scenario.schema import Scenario


@dataclass(frozen=True)
class OpenAtStart:
    """One case stage's open cases at the start, and the pilot's figures they come from."""

    stage: str
    arrivals_per_day: float
    mean_days_open: float
    count: int

    def to_dict(self) -> dict:
        return {"stage": self.stage, "arrivals_per_day": self.arrivals_per_day,
                "mean_days_open": self.mean_days_open, "count": self.count}


@dataclass(frozen=True)
class InFlight:
    scenario: Scenario  # the scenario with the open cases added
    stages: list[OpenAtStart]


def in_flight(scenario: Scenario, reps: int = 3, seed: int = 0, processes: int | None = None,
              progress: Callable[[int], None] | None = None) -> InFlight:
    """``scenario`` starting with the cases its case stages hold open in a pilot run (Little's law)."""
    if scenario.time.warm_up_days:
        raise FlowsimError(f"{scenario.name}: it has a warm-up of {scenario.time.warm_up_days} days, which fills "
                           "the pipeline before results are counted; open cases at the start are for runs "
                           "without one")
    means = run(scenario, reps=reps, seed=seed, processes=processes, detail=False,
                progress=progress).summary().set_index("kpi")["mean"]
    days = scenario.time.horizon_days
    opened, changes = [], {}
    declared = scenario.source.document.get("stages") or {}  # a locality's copies of a stage hold no open cases
    for name, stage in scenario.stages.items():
        if stage.kind != "case" or name in scenario.open_cases or name not in declared:
            continue
        open_days = float(means.get(f"case_open_days_mean.{name}", math.nan))
        waiting = scenario.waiting_list[name].count if name in scenario.waiting_list else 0
        arrived = float(means.get(f"arrivals.{name}", 0.0)) - waiting  # the starting list arrives at time 0
        count = int(round(arrived / days * open_days)) if math.isfinite(open_days) and arrived > 0 else 0
        if count < 1:
            continue
        opened.append(OpenAtStart(name, arrived / days, open_days, count))
        source = f"flowsim in-flight: a pilot run of {scenario.name}, {reps} replications, seed {seed}"
        changes[f"open_cases.{name}"] = {
            "count": {"value": count, "status": "derived", "source": source,
                      "reason": f"Little's law: {number(arrived / days, decimals=2)} arrivals a day × "
                                f"{number(open_days, decimals=1)} days a case is open"},
            "mean_open_days": {"value": round(open_days / 2, 1), "status": "assumption", "source": source,
                               "reason": "cases open at the start are taken to be half-way through on average"}}
    if not opened:
        raise FlowsimError(f"{scenario.name}: no case stage without open cases at the start completed a case in "
                           "the pilot run; nothing to open")
    document = scenario_document(vary(scenario, changes))
    return InFlight(scenario_from_document(document, scenario.origin), opened)
