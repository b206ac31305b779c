"""Fitting a scenario to a council profile: values of declared free parameters that reproduce its figures.

Each free parameter is a numeric field ``--set`` accepts, with bounds. The
residual of a figure is (modelled − observed) / (observed × tolerance), so a
figure within its tolerance contributes less than 1; scipy's bounded
least-squares (trust region reflective) minimises their squares over the
expected flows, a few hundredths of a second per evaluation. A small pull
towards the scenario's own values picks, of the many fits that may reproduce
few figures, the one that changes the scenario least. Setting one
share of a group rescales the others (``flowsim.scenario.edit``), so shares
still add up to 1. Where queues hold work back, the fit can go on from there on
the simulation itself, every point on the same seed (common random numbers).

When the figures cannot all hold, the fit says which: figures left outside
their tolerance, figures no free parameter moves, and pairs whose residuals
pull the parameters opposite ways (gradients at the fit pointing apart).
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from fnmatch import fnmatchcase as fnmatch
from typing import Callable

import numpy as np
from pydantic import ValidationError
from scipy.optimize import least_squares

from flowsim.errors import FlowsimError, InputError, Problem
from flowsim.engine import run
from flowsim.profile.check import expected_value, simulated_values, tolerance
from flowsim.profile.measures import MEASURES, ModelView
from flowsim.profile.schema import Profile
from flowsim.profile.steady import TOLERANCE as STEADY_TOLERANCE, SteadyState, simulated_steady_state, steady_state
from flowsim.provenance import number_sources
from flowsim.scenario import scenario_document, vary
from flowsim.scenario.load import scenario_from_document
from flowsim.scenario.edit import rebalance
from flowsim.scenario.network import structure_problems
from flowsim.scenario.schema import Scenario

SHARE_GROUPS = ("stages.*.routes", "stages.*.routes_by_source.*", "stages.*.routes_by_group.*", "demand.sources",
                "demand.weekday_profile", "demand.monthly_profile")  # fields whose values are shares adding up to 1
PRIOR = 0.05  # pull towards the scenario's own values: of the fits that reproduce the figures, the smallest change
PENALTY = 1e3  # residual of a point where the scenario is invalid (the optimiser steps back)
CONFLICT_COSINE = -0.5  # gradients this far apart pull the parameters opposite ways
SIMULATED_STEP = 0.05  # relative finite-difference step on the simulation
SIMULATED_EVALUATIONS = 6  # least-squares steps on the simulation at most


@dataclass(frozen=True)
class FreeParameter:
    path: str
    low: float
    high: float
    start: float  # the scenario's value, moved inside the bounds
    new: bool = False  # a route or package alongside the scenario does not have yet (its value is 0)


@dataclass
class FitResult:
    scenario: Scenario  # the fitted scenario, each fitted number citing the profile and the fit
    values: dict[str, float]
    figures: list[tuple[str, str]]  # (figure, year) fitted
    residuals: np.ndarray  # at the fit, in tolerances
    evaluations: int
    conflicts: list[str] = field(default_factory=list)

    @property
    def holds(self) -> bool:
        return not self.conflicts


def parse_free(items, scenario: Scenario) -> list[FreeParameter]:
    """``path=low:high`` items as free parameters, checked against the scenario's numbers."""
    numbers = {row.path: row.value for row in number_sources(scenario)}
    problems, free = [], []
    for item in items:
        path, sep, bounds = str(item).partition("=")
        low_text, colon, high_text = bounds.partition(":")
        try:
            low, high = float(low_text), float(high_text)
        except ValueError:
            low = high = math.nan
        if not sep or not colon or not (low < high):
            problems.append(Problem("--free", str(item), "must look like path.to.field=low:high with low < high"))
        elif path not in numbers and _new_share(path, scenario):
            free.append(FreeParameter(path, low, high, min(max(0.0, low), high), new=True))
        elif path not in numbers or not isinstance(numbers[path], (int, float)):
            problems.append(Problem("--free", path, "is not a number of this scenario (see flowsim sources), "
                                    "nor a new route or package alongside"))
        else:
            free.append(FreeParameter(path, low, high, min(max(float(numbers[path]), low), high)))
    if len({p.path for p in free}) != len(free):
        problems.append(Problem("--free", "", "a parameter is given twice"))
    if problems:
        raise InputError(problems)
    if not free:
        raise FlowsimError("give at least one free parameter: --free path=low:high")
    return free


def _new_share(path: str, scenario: Scenario) -> bool:
    """Is ``path`` a share the scenario could have but does not: a new route of a stage
    (stages.<stage>.routes.<stage or outcome>) or a new package alongside an outcome
    (outcomes.<outcome>.alongside.<package>)?"""
    parts = path.split(".")
    if len(parts) != 4:
        return False
    table, owner, kind, target = parts
    if table == "stages" and kind == "routes":
        return owner in scenario.stages and (target in scenario.stages or target in scenario.outcomes)
    if table == "outcomes" and kind == "alongside":
        return (owner in scenario.outcomes and scenario.outcomes[owner].kind != "closed"
                and target in scenario.package_outcomes() and target != owner)
    return False


def overrides(scenario: Scenario, free: list[FreeParameter], x, numbers: dict | None = None) -> dict[str, float]:
    """The changes that set each free parameter to ``x``; the other shares of a group rescaled to fill the rest.

    ``numbers`` (path → value, from ``number_sources``) saves reading them again at every point of a fit.
    """
    numbers = numbers if numbers is not None else {row.path: row.value for row in number_sources(scenario)}
    changes: dict[str, float] = {}
    groups: dict[str, dict[str, float]] = {}
    for p, value in zip(free, x):
        parent, _, leaf = p.path.rpartition(".")
        if any(fnmatch(parent, group) for group in SHARE_GROUPS):
            groups.setdefault(parent, {})[leaf] = float(value)
        else:
            changes[p.path] = float(value)
    for parent, fixed in groups.items():
        base = {k[len(parent) + 1:]: v for k, v in numbers.items()
                if k.startswith(parent + ".") and "." not in k[len(parent) + 1:]}
        base |= {leaf: 0.0 for leaf in fixed if leaf not in base}  # a new route, not taken until now
        total = sum(fixed.values())
        if total >= 1:  # the fitted shares take the whole group, in their proportions; the others none
            fixed = {k: v / total for k, v in fixed.items()}
            changes |= {f"{parent}.{k}": fixed.get(k, 0.0) for k in base}
        else:
            changes |= {f"{parent}.{k}": v for k, v in rebalance(base, fixed).items()}
    return changes


def fit(profile: Profile, scenario: Scenario, free: list[FreeParameter], year: str | None = None,
        profile_name: str = "the profile", progress: Callable[[int], None] | None = None,
        max_evaluations: int = 60, simulate: int = 0, seed: int = 0, processes: int | None = None,
        steady: bool = False) -> FitResult:
    """Free parameters' values with which the scenario's expected flows reproduce the profile's figures of ``year``.

    ``steady``: also hold the starting caseload, as if each package type's balance were a figure: the starts
    a year the flow makes against the starts needed to hold its packages, within the steady-state check's
    tolerance (``flowsim.profile.steady``).

    ``max_evaluations`` bounds the least-squares steps (each gradient costs one more evaluation per parameter).
    ``simulate`` > 0: then refine from there on the simulation (that many replications, every point on the same
    ``seed``: common random numbers), for figures of the scenario's first year that a KPI measures, where
    queues and caseload caps hold work back that the expected flows do not see; with ``steady``, the caseload
    is then held with the packages the simulation's first year starts (``simulated_steady_state``).
    """
    year = year or _first_year(profile, scenario)
    view = ModelView(scenario, profile.model)
    targets = [(f, o) for f, o in profile.observations(year)
               if MEASURES[f].expected is not None and not math.isnan(expected_value(view, f, o)[0])]
    balances = [b.package for b in steady_state(scenario).packages if b.active > 0] if steady else []
    if not targets and not balances:
        raise FlowsimError(f"{profile_name}: no figure of {year} can be read off the expected flows of "
                           f"{scenario.name}" + (" and it starts with no packages to hold" if steady else "")
                           + "; nothing to fit")
    observed = np.array([o.value for _, o in targets])
    low, high = np.array([p.low for p in free]), np.array([p.high for p in free])
    start = np.array([p.start for p in free])
    # A new share starts at its bound, where the least-squares steps are cut to almost nothing: begin a little inside.
    first = np.array([p.low + 0.05 * (p.high - p.low) if p.new and p.start <= p.low else p.start for p in free])
    scale = np.array([max(o.value, 1e-9) * tolerance(f, o) for f, o in targets])
    calls = [0]
    variants = Variants(scenario)
    numbers = {row.path: row.value for row in number_sources(scenario)}

    def weighted(x, modelled_of) -> np.ndarray:
        """Each figure's error in tolerances, and a light pull towards the start; a penalty if x is not a scenario."""
        calls[0] += 1
        if progress:
            progress(1)
        try:
            candidate = variants.make(overrides(scenario, free, x, numbers))
        except (InputError, ValidationError):
            return np.full(len(targets) + len(balances) + len(free), PENALTY)
        modelled, holding = modelled_of(ModelView(candidate, profile.model))
        return np.concatenate([(modelled - observed) / scale, holding, PRIOR * (x - start) / (high - low)])

    def balance(state: SteadyState) -> np.ndarray:
        """Each package type's starts against the starts it needs, in the steady check's tolerance."""
        ratio = {b.package: b.ratio for b in state.packages}
        return np.array([(ratio[name] - 1) / STEADY_TOLERANCE for name in balances])

    def expected(v: ModelView) -> tuple[np.ndarray, np.ndarray]:
        holding = balance(steady_state(v.scenario)) if balances else np.empty(0)
        return np.array([expected_value(v, f, o)[0] for f, o in targets]), holding

    def simulated(v: ModelView) -> tuple[np.ndarray, np.ndarray]:
        table = first_year_kpis(v, simulate, seed, processes)
        modelled = []
        for f, o in targets:
            values = simulated_values(v, f, o, table)
            modelled.append(float(values.mean()) if values is not None else expected_value(v, f, o)[0])
        holding = balance(simulated_steady_state(v.year_one, table.mean())) if balances else np.empty(0)
        return np.array(modelled), holding

    found = least_squares(weighted, first, args=(expected,), bounds=(low, high), x_scale=high - low,
                          diff_step=1e-4, ftol=1e-5, xtol=1e-5, max_nfev=max_evaluations)

    if simulate:
        # On common random numbers a small change moves few people: take steps of 5% of each parameter's value
        found = least_squares(weighted, found.x, args=(simulated,), bounds=(low, high), x_scale=high - low,
                              diff_step=SIMULATED_STEP, ftol=1e-3, xtol=1e-3, max_nfev=SIMULATED_EVALUATIONS)
    final = overrides(scenario, free, found.x, numbers)  # shares past a whole come back scaled to it
    values = {p.path: float(final[p.path]) for p in free}
    names = [f"{f} {o.year}" for f, o in targets] + [f"steady {name}" for name in balances]
    held = ", ".join(names[:len(targets)] + (["holding the starting caseload of " + ", ".join(balances)]
                                               if balances else []))
    cited = {path: {"value": value, "status": "derived",
                    "source": f"fit to {profile_name} ({profile.council}, {year}): {held}",
                    "reason": f"flowsim fit, free between {p.low:g} and {p.high:g}; the value with which the "
                              + ("simulation" if simulate else "expected flows") + " comes closest to the figures"}
             for (path, value), p in zip(values.items(), free)}
    rescaled = {path: {"value": value, "status": "derived", "source": f"rescaled by the fit to {profile_name}",
                       "reason": "another share of its group was fitted; the rest move in proportion to add up to 1"}
                for path, value in final.items() if path not in values}
    changes = rescaled | cited
    # loaded again from its document, so each fitted number's provenance is the citation written beside it
    fitted = scenario_from_document(scenario_document(vary(scenario, changes)), scenario.origin)
    figures = len(targets) + len(balances)
    return FitResult(fitted, values, [(f, o.year) for f, o in targets], found.fun[:figures], calls[0],
                     conflicts(names, found.fun[:figures], found.jac[:figures]))


def held_balance(fitted: Scenario, profile: Profile, simulate: int = 0, seed: int = 0,
                 processes: int | None = None) -> SteadyState:
    """The fitted scenario's caseload balance as ``fit`` held it: with the expected flows' starts, or (``simulate``
    > 0) with the starts of the simulation of its first year, on the same seed."""
    if not simulate:
        return steady_state(fitted)
    view = ModelView(fitted, profile.model)
    return simulated_steady_state(view.year_one, first_year_kpis(view, simulate, seed, processes).mean())


def first_year_kpis(view: ModelView, reps: int, seed: int, processes: int | None):
    """The KPI table (replications as rows) of a simulation of the scenario's first year."""
    return run(view.year_one, reps=reps, seed=seed, processes=processes, detail=False).kpi_table()


class Variants:
    """Scenarios that differ from one in a few numbers, validated from its resolved values.

    ``vary`` re-reads the document and every reference in ``data/`` (a fifth of a
    second); a fit tries hundreds of points, so it changes the resolved values and
    validates those (a few milliseconds). The fitted scenario itself is made with
    ``vary``, so its file keeps every reference and source.
    """

    def __init__(self, scenario: Scenario):
        self.base = scenario.model_dump(mode="python")

    def make(self, changes: dict[str, float]) -> Scenario:
        document = copy.deepcopy(self.base)
        for path, value in changes.items():
            *parents, leaf = path.split(".")
            node = document
            for key in parents:
                node = node[key]
            node[leaf] = value
        candidate = Scenario.model_validate(document)
        problems = structure_problems(candidate)
        if problems:
            raise InputError([Problem("fit", where, message) for where, message in problems])
        return candidate


def conflicts(names: list[str], r: np.ndarray, jacobian: np.ndarray) -> list[str]:
    """Why the figures do not all hold: those left outside their tolerance, and what stops them."""
    lines = []
    off = [i for i in range(len(r)) if abs(r[i]) > 1]
    gradients = r[:, None] * jacobian  # each figure's pull on the parameters
    for i in off:
        if not np.any(np.abs(jacobian[i]) > 1e-9):
            lines.append(f"{names[i]}: no free parameter moves it ({r[i]:+.1f} tolerances off)")
    for a in off:
        for b in range(len(r)):
            if b == a or (b in off and b < a):
                continue
            na, nb = np.linalg.norm(gradients[a]), np.linalg.norm(gradients[b])
            if na > 0 and nb > 0 and gradients[a] @ gradients[b] / (na * nb) < CONFLICT_COSINE:
                lines.append(f"{names[a]} ({r[a]:+.1f} tolerances off) and {names[b]} ({r[b]:+.1f}) pull the free "
                             "parameters opposite ways: they cannot both hold")
    for i in off:
        if not any(names[i] in line for line in lines):
            lines.append(f"{names[i]}: {r[i]:+.1f} tolerances off at the bounds of the free parameters")
    return lines


def _first_year(profile: Profile, scenario: Scenario) -> str:
    view = ModelView(scenario, profile.model)
    year = f"{view.first_year}/{(view.first_year + 1) % 100:02d}"
    if year not in profile.years:
        raise FlowsimError(f"the profile has no figures for {year}, the first year of {scenario.name}; "
                           f"it has {', '.join(profile.years) or 'none'} (choose one with --year)")
    return year
