"""The app's "Options appraisal" page: Barnet's delivery-model appraisal, editable, with the
simulated demand saving A − B in place of the assumed "MTFS delivered" if the comparison page has one."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from flowsim.errors import FlowsimError
from flowsim.finance import appraise, barnet_inputs
from flowsim.format import money, share
from flowsim.ui import charts

SAVINGS, CONFIDENCE = "total savings (£)", "confidence in the MTFS target (%)"


def shown_table(table: pd.DataFrame) -> pd.DataFrame:
    """The appraisal as people read it: rank first, money and shares from the one formatter (each
    option's confidence is in the inputs table above it)."""
    columns = {"rank": table["rank"], "option": table["label"],
               "ADM savings": table["total_savings"].map(lambda v: money(v)),
               "MTFS delivered": table["mtfs_savings_delivered"].map(lambda v: money(v)),
               "total benefit": table["total_benefit"].map(lambda v: money(v)),
               "of ADM target": table["share_of_adm_target"].map(share)}
    if "demand_saving_mean" in table:  # the simulated demand saving replaces "MTFS delivered"
        del columns["MTFS delivered"]
        columns["simulated demand saving (95% CI)"] = [
            f"{money(mean)} ({money(low)} to {money(high)})" for mean, low, high in
            zip(table["demand_saving_mean"], table["demand_saving_ci_low"], table["demand_saving_ci_high"])]
        columns["chance it reaches the MTFS target"] = table["demand_saving_reaches_mtfs_target"].map(share)
    return pd.DataFrame(columns).sort_values("rank")


def show(show_problems) -> None:
    """Barnet's options appraisal of delivery models (its outline business case, section 6), editable."""
    st.subheader("Options appraisal: Barnet's alternative delivery models")
    inputs = barnet_inputs()
    st.caption(f"In-scope services 2017/18 {money(inputs.in_scope_value, exact=True)}; wider MTFS target "
               f"{money(inputs.mtfs_target, exact=True)} (the table's figure for the £13.1m); ADM savings target "
               f"{money(inputs.adm_savings_target, exact=True)}. Source: London Borough of Barnet, "
               "'Outline business case: Adult social care alternative delivery model' (2016), section 6, "
               "'ADM financial model'. Edit the savings or confidence to test the ranking.")
    start = pd.DataFrame([{"option": o.label, SAVINGS: o.total_savings, CONFIDENCE: o.mtfs_confidence * 100}
                          for o in inputs.options])
    edited = st.data_editor(start, disabled=["option"], hide_index=True, key="appraisal_inputs", column_config={
        SAVINGS: st.column_config.NumberColumn(format="localized", min_value=0.0, step=1.0),
        CONFIDENCE: st.column_config.NumberColumn(min_value=0.0, max_value=100.0, step=1.0, format="%.0f%%")})
    names = {o.label: o.name for o in inputs.options}
    try:
        rows = edited.to_dict("records")
        changed = inputs.with_changes(savings={names[r["option"]]: float(r[SAVINGS]) for r in rows},
                                      confidence={names[r["option"]]: float(r[CONFIDENCE]) / 100 for r in rows})
    except (FlowsimError, TypeError, ValueError) as error:
        show_problems(error, "These figures cannot be used")
        changed = inputs
    saving = None
    remembered = st.session_state.get("last_saving")
    if remembered and st.checkbox(f"Use the simulated demand saving A − B of {remembered[0]} "
                                  f"({money(remembered[1]['mean'], difference=True)}) in place of the assumed "
                                  "'MTFS delivered' (never both)"):
        saving = remembered[1]
    table = appraise(changed, saving)
    st.dataframe(shown_table(table), hide_index=True, width="stretch", key="appraisal_table",
                 column_config={"rank": st.column_config.NumberColumn(width=50)})  # confidence: in the inputs above
    st.altair_chart(charts.appraisal_chart(table, inputs.adm_savings_target), width="stretch")
    st.download_button("Download the appraisal (CSV)", table.to_csv(index=False).encode("utf-8"),
                       file_name="options_appraisal.csv", mime="text/csv")
