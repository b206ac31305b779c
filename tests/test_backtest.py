"""Back-test: stored KPI tables for fixed inputs, compared to one part in a billion.

Random streams are keyed by purpose names, so a change that only moves code
reproduces every number to the bit on the same machine. Across processors
numpy's vectorised exp and log differ in the last bits (about 1e-11 relative
after a run, seen between Intel and AMD machines), so the comparison allows
1e-9 relative: far below any change in behaviour, which moves values by
whole events. The inputs are frozen copies of the Barnet
scenarios as they were before case stages (``backtest/scenarios``), so the
back-test keeps guarding the one-sitting engine while the shipped scenarios move on. Regenerate the stored tables
(``python tests/test_backtest.py``) only in a commit that says which
behaviour changed and why.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import flowsim

STORED = Path(__file__).resolve().parent / "backtest"
CASES = ["barnet_current", "barnet_new_model"]
REPS, SEED, DAYS = 3, 20240401, 90
TOLERANCE = 1e-9  # relative (and absolute, for values near 0)


def kpi_table(name: str) -> pd.DataFrame:
    scenario = flowsim.load_scenario(STORED / "scenarios" / f"{name}.yaml", {"time.horizon_days": DAYS})
    results = flowsim.run(scenario, reps=REPS, seed=SEED, processes=1, detail=False)
    return results.kpis[["run", "kpi", "value"]].sort_values(["kpi", "run"], kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("name", CASES)
def test_kpis_match_the_stored_back_test(name):
    stored = pd.read_csv(STORED / f"{name}.csv")
    now = kpi_table(name)
    merged = stored.merge(now, on=["run", "kpi"], how="outer", suffixes=("_stored", "_now"), indicator=True)
    missing = merged[merged["_merge"] != "both"]
    assert missing.empty, f"KPIs added or lost:\n{missing[['run', 'kpi', '_merge']].to_string()}"
    both_nan = merged["value_stored"].isna() & merged["value_now"].isna()
    close = np.isclose(merged["value_now"], merged["value_stored"], rtol=TOLERANCE, atol=TOLERANCE)
    differ = merged[~both_nan & ~close]
    assert differ.empty, f"KPIs changed:\n{differ[['run', 'kpi', 'value_stored', 'value_now']].to_string()}"


if __name__ == "__main__":  # regenerate: python tests/test_backtest.py
    for case in sys.argv[1:] or CASES:
        kpi_table(case).to_csv(STORED / f"{case}.csv", index=False)
        print(f"wrote {STORED / f'{case}.csv'}")
