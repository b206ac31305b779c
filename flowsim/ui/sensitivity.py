"""The tornado chart: which uncertain inputs move a result most (altair)."""
from __future__ import annotations

import altair as alt
import pandas as pd

from flowsim.format import number


def tornado_chart(table: pd.DataFrame, kpi_title: str, unit: str = "count") -> alt.LayerChart:
    """One bar per input from the result at its low end to the result at its high end, largest swing on top,
    with a rule at the result when every input is at its value (a table from ``flowsim.uncertainty.sensitivity.tornado``)."""
    rows = table.assign(
        order=range(len(table)),
        ends=[f"{number(r.kpi_at_low, unit)} at {r.low:g} → {number(r.kpi_at_high, unit)} at {r.high:g}"
              for r in table.itertuples()])
    y = alt.Y("input:N", sort=alt.EncodingSortField("order"), title=None)
    bars = alt.Chart(rows).mark_bar(color="#4c78a8").encode(
        y=y, x=alt.X("kpi_at_low:Q", title=kpi_title, scale=alt.Scale(zero=False)), x2="kpi_at_high:Q",
        tooltip=[alt.Tooltip("input:N", title="Input"), alt.Tooltip("ends:N", title="Low → high")])
    centre = alt.Chart(rows.head(1)).mark_rule(color="#333", strokeDash=[4, 3]).encode(x="kpi_at_value:Q")
    return (bars + centre).properties(height=max(120, 28 * len(rows)), title=f"What moves {kpi_title}")
