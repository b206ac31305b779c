"""Barnet's options appraisal of alternative delivery models (seed 000, section 6, "ADM financial model").

For each option: revised budget = in-scope value − total savings; MTFS savings
delivered = confidence × the wider MTFS target (£13,107,100 in the table, the
"£13.1m" of the text); total benefit = savings + MTFS delivered; options are
ranked by total benefit. The inputs come from ``data/barnet_adm_options.csv``;
savings and confidence can be changed.

"MTFS savings delivered" is the demand saving, assumed as confidence × £13.1m.
A simulated demand saving A − B (packages net, with the cost of delay and unmet
need) therefore *replaces* that line, never adds to it: each option's total
benefit becomes its own savings plus the simulated demand saving, shown with
its interval and the probability (share of replications) that it reaches the
£13.1m.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import pandas as pd

from flowsim.errors import FlowsimError
from flowsim.figures import lookup

TABLE = "barnet_adm_options"
OPTIONS = {
    "reformed_in_house": "Reformed in-house service",
    "nhs_shared_service": "NHS shared service",
    "partnership_outside_public_sector": "Partnership outside the public sector",
    "barnet_group_latc": "The Barnet Group (LATC)",
    "public_service_mutual": "Public service mutual",
}


@dataclass(frozen=True)
class Option:
    name: str
    label: str
    total_savings: float
    mtfs_confidence: float


@dataclass(frozen=True)
class AppraisalInputs:
    in_scope_value: float
    mtfs_target: float
    adm_savings_target: float
    options: list[Option] = field(default_factory=list)

    def with_changes(self, savings: dict[str, float] | None = None,
                     confidence: dict[str, float] | None = None) -> "AppraisalInputs":
        """New inputs with some options' total savings (£) or MTFS confidence (0 to 1) changed."""
        savings, confidence = savings or {}, confidence or {}
        unknown = sorted((set(savings) | set(confidence)) - set(OPTIONS))
        if unknown:
            raise FlowsimError(f"unknown option {', '.join(unknown)}; options are {', '.join(OPTIONS)}")
        for name, value in savings.items():
            if not math.isfinite(value):
                raise FlowsimError(f"savings for {name} must be a number of pounds; the cell is empty")
            if value < 0:
                raise FlowsimError(f"savings for {name} must be 0 or more; got {value:,.0f}")
        for name, value in confidence.items():
            if not math.isfinite(value):
                raise FlowsimError(f"confidence for {name} must be between 0 and 1; the cell is empty")
            if not 0 <= value <= 1:
                raise FlowsimError(f"confidence for {name} must be between 0 and 1; got {value}")
        options = [replace(o, total_savings=savings.get(o.name, o.total_savings),
                           mtfs_confidence=confidence.get(o.name, o.mtfs_confidence)) for o in self.options]
        return replace(self, options=options)


def barnet_inputs() -> AppraisalInputs:
    """The published table's inputs."""

    def value(key: str) -> float:
        figure = lookup(f"{TABLE}.{key}")
        if figure is None or isinstance(figure, dict):
            raise FlowsimError(f"data/{TABLE}.csv has no figure {TABLE}.{key}")
        return figure.value

    options = [Option(name, label, value(f"option.{name}.total_savings"), value(f"option.{name}.mtfs_confidence"))
               for name, label in OPTIONS.items()]
    return AppraisalInputs(value("in_scope_value_2017_18"), value("wider_mtfs_target_implied_by_table"),
                           value("adm_savings_target"), options)


def appraise(inputs: AppraisalInputs, demand_saving: dict | None = None) -> pd.DataFrame:
    """The appraisal table, one row per option, ranked by total benefit.

    ``demand_saving`` (a simulated demand saving A − B: {"mean", "ci_low", "ci_high"}, £, and optionally
    "probability": the share of replications reaching the MTFS target) replaces the assumed
    "MTFS savings delivered" in every option's total benefit.
    """
    rows = []
    for option in inputs.options:
        delivered = round(option.mtfs_confidence * inputs.mtfs_target)
        rows.append({
            "option": option.name,
            "label": option.label,
            "total_savings": round(option.total_savings),
            "revised_budget": round(inputs.in_scope_value - option.total_savings),
            "mtfs_confidence": option.mtfs_confidence,
            "mtfs_savings_delivered": delivered,
            "total_benefit": round(option.total_savings) + delivered,
            "share_of_adm_target": option.total_savings / inputs.adm_savings_target,
        })
    table = pd.DataFrame(rows)
    table["demand_line"] = "assumed: confidence × MTFS target"
    if demand_saving is not None:
        table["demand_line"] = "simulated demand saving A − B"
        for part in ("mean", "ci_low", "ci_high"):
            table[f"demand_saving_{part}"] = demand_saving[part]
        table["demand_saving_reaches_mtfs_target"] = demand_saving.get("probability")
        table["total_benefit"] = table["total_savings"] + demand_saving["mean"]
        table["total_benefit_ci_low"] = table["total_savings"] + demand_saving["ci_low"]
        table["total_benefit_ci_high"] = table["total_savings"] + demand_saving["ci_high"]
    table["rank"] = table["total_benefit"].rank(ascending=False, method="min").astype(int)
    return table.sort_values("rank").reset_index(drop=True)
