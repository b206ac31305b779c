"""Back-test: fit a scenario to one year of a council's figures, predict a later year, report the error.

The prediction is the fitted scenario's expected value for the later year
(its yearly counts grown by its demand growth; its caseload and spend run on),
set against what the council later published. A model that only reproduces
the year it was fitted to shows it here.
"""
from __future__ import annotations

from dataclasses import dataclass

from flowsim.errors import FlowsimError
from flowsim.format import number, relative
from flowsim.profile.check import Row, check
from flowsim.profile.fit import FitResult, FreeParameter, fit
from flowsim.profile.measures import MEASURES
from flowsim.profile.schema import Profile
from flowsim.scenario.schema import Scenario


@dataclass(frozen=True)
class Backtest:
    fit: FitResult
    fitted: list[Row]
    predicted: list[Row]

    def summary(self) -> list[str]:
        """One line per predicted figure: the error of the prediction."""
        lines = []
        for r in self.predicted:
            if r.matches is None:
                continue
            unit = MEASURES[r.figure].unit
            lines.append(f"{MEASURES[r.figure].label}, {r.year}: predicted {number(r.modelled, unit)}, observed "
                         f"{number(r.observed, unit)}; error {number(r.error, unit, difference=True)} "
                         f"({relative(r.relative_error)})")
        return lines


def backtest(profile: Profile, scenario: Scenario, free: list[FreeParameter], fit_year: str, predict_year: str,
             profile_name: str = "the profile", progress=None, max_evaluations: int = 60) -> Backtest:
    if predict_year <= fit_year:
        raise FlowsimError(f"the year to predict ({predict_year}) must come after the year fitted ({fit_year})")
    if predict_year not in profile.years:
        raise FlowsimError(f"{profile_name} has no figures for {predict_year} to predict")
    result = fit(profile, scenario, free, fit_year, profile_name, progress, max_evaluations)
    rows = check(profile, result.scenario, reps=0)
    return Backtest(result, [r for r in rows if r.year == fit_year], [r for r in rows if r.year == predict_year])
