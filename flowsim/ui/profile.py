"""The app's view of a council profile: observed against modelled, figure by figure and year by year."""
from __future__ import annotations

import altair as alt
import pandas as pd

from flowsim.format import number, relative, share

SERIES = alt.Scale(domain=["observed", "modelled"], range=["#333333", "#4c78a8"])


def profile_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The check's rows as a table to read: each number in its unit, the error modelled − observed."""
    units = frame["unit"]
    return pd.DataFrame({
        "figure": frame["label"], "year": frame["year"],
        "observed": [number(v, u) for v, u in zip(frame["observed"], units)],
        "modelled": [number(v, u) for v, u in zip(frame["modelled"], units)],
        "error (modelled − observed)": [number(v, u, difference=True) for v, u in zip(frame["error"], units)],
        "error %": [relative(v) for v in frame["relative_error"]],
        "within tolerance": [("–" if m is None else "yes" if m else "no") + f" (±{share(t)})"
                             for m, t in zip(frame["matches"], frame["tolerance"])],
        "from": frame["how"], "source": frame["source"]})


def profile_chart(frame: pd.DataFrame) -> alt.Chart:
    """Observed and modelled by year, one panel per figure (each on its own scale): a back-test at a glance."""
    long = pd.concat([frame.assign(series="observed", value=frame["observed"]),
                      frame.assign(series="modelled", value=frame["modelled"])])
    long = long.dropna(subset=["value"])
    base = alt.Chart(long).encode(
        x=alt.X("year:N", title=None), y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=True)),
        color=alt.Color("series:N", scale=SERIES, title=None),
        tooltip=["label:N", "year:N", "series:N", alt.Tooltip("value:Q", format=",.0f")])
    return (base.mark_line(point=True)).properties(width=220, height=150).facet(
        facet=alt.Facet("label:N", title=None), columns=3).resolve_scale(y="independent")
