"""One vocabulary for stages, roles, outcomes, referral sources and KPIs.

Names are what scenario files use; labels are what people read in the CLI,
the app and the charts. A scenario may name things freely and give its own
``label``; names not listed here are shown as written, tidied.
"""
from __future__ import annotations

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# Stages that stand for the statutory (Care Act) assessment: the app's headline waits use the
# first of these a scenario has, unless the scenario names its own ``headline_stage``.
ASSESSMENT_STAGES = ("full_assessment", "care_act_assessment", "assessment")

# Referral sources named in the SALT return and the seeds.
SOURCE_LABELS = {
    "community": "Self / community",
    "family_carer": "Family or carer",
    "primary_care": "Primary care (GP)",
    "secondary_health": "Hospital (secondary health)",
    "safeguarding": "Safeguarding concern",
    "other": "Other",
    "review": "Review of existing package",
    "waiting_list": "Already waiting at start",
}

STAGE_LABELS = {
    "self_service": "Online self-service",
    "front_door": "First point of contact",
    "community_hub": "Community hub appointment",
    "home_visit": "Home visit",
    "hospital_team": "Hospital team",
    "social_work_triage": "Social worker (referral)",
    "full_assessment": "Full needs assessment (Care Act)",
    "ot_assessment": "Occupational therapy assessment",
    "enablement": "Enablement / reablement",
    "safeguarding_enquiry": "Safeguarding enquiry",
    "review": "Review",
    "support_planning": "Support planning and brokerage",
    "financial_assessment": "Financial assessment",
}

ROLE_LABELS = {
    "front_door_adviser": "Front-door adviser",
    "social_worker": "Social worker",
    "occupational_therapist": "Occupational therapist",
    "assessment_enablement_officer": "Assessment and enablement officer",
    "hospital_social_worker": "Hospital social worker",
    "enablement_worker": "Enablement worker",
    "financial_assessor": "Financial assessment officer",
    "review_officer": "Review officer",
}

OUTCOME_LABELS = {
    "resolved_online": "Resolved online (self-service)",
    "information_advice": "Resolved with information and advice",
    "signposted_cvs": "Signposted to community and voluntary sector",
    "no_eligible_needs": "No eligible needs",
    "mental_health_team": "Passed to mental health team",
    "no_further_support": "No further support needed",
    "home_care": "Home care",
    "residential_care": "Residential care",
    "nursing_care": "Nursing care",
    "direct_payment": "Direct payment",
    "supported_living": "Supported living",
    "day_care": "Day care",
    "telecare": "Telecare",
    "equipment_adaptations": "Equipment and adaptations",
    "carer_support": "Carer support",
    "review_no_change": "Review: no change",
    "review_increase": "Review: support increased",
    "review_reduce": "Review: support reduced",
}


def label(name: str, given: str | None = None) -> str:
    """The display label for a stage, role, outcome or source name."""
    if given:
        return given
    base, separator, place = name.rpartition("__")
    if separator:  # a locality's own stage or team
        return f"{label(base)} ({place.replace('_', ' ').title()})"
    for table in (STAGE_LABELS, ROLE_LABELS, OUTCOME_LABELS, SOURCE_LABELS):
        if name in table:
            return table[name]
    return name.replace("_", " ").capitalize()

# KPI measures: ``measure`` or ``measure.thing`` (a stage, role, outcome, package type or edge).
MEASURE_LABELS = {
    "contacts": "Contacts",
    "workstream_arrivals": "Competing work arriving",
    "arrivals": "People arriving",
    "existing_client_arrivals": "Existing clients arriving from reviews",
    "outcomes": "Outcome reached",
    "recontacts": "People closed here who came back",
    "flow": "People moving",
    "wait_mean_days": "Wait, mean (days)",
    "wait_median_days": "Wait, median (days)",
    "wait_p90_days": "Wait, 90th percentile (days)",
    "within_target": "Share seen within target",
    "waiting_at_end": "Waiting list at the end",
    "waiting_mean": "Waiting list, average",
    "hours_demanded": "Hours demanded",
    "hours_delivered": "Hours delivered",
    "hours_available": "Hours available",
    "utilisation": "Utilisation",
    "open_cases_mean": "Open cases per practitioner, average",
    "open_cases_end": "Open cases per practitioner at the end",
    "awaiting_allocation_end": "Awaiting allocation at the end",
    "left_waiting_list": "Left the waiting list unseen",
    "waiting_under_4_weeks": "Waiting under 4 weeks",
    "waiting_1_3_months": "Waiting 1 to 3 months",
    "waiting_3_6_months": "Waiting 3 to 6 months",
    "waiting_over_6_months": "Waiting over 6 months",
    "request_to_completion_mean_days": "Request to completion, mean (days)",
    "request_to_completion_median_days": "Request to completion, median (days)",
    "request_to_completion_p90_days": "Request to completion, 90th percentile (days)",
    "request_to_service_mean_days": "Request to a new service starting, mean (days)",
    "request_to_service_median_days": "Request to a new service starting, median (days)",
    "request_to_service_p90_days": "Request to a new service starting, 90th percentile (days)",
    "case_open_days_mean": "Case open, allocation to close, mean (days)",
    "places_used_mean": "Service places used, average",
    "awaiting_service_end": "Awaiting a service place at the end",
    "overdue_reviews_end": "Overdue reviews at the end",
    "reviews_overdue_mean": "Overdue reviews, average",
    "overdue_reviews": "Overdue reviews",
    "unplanned_reviews": "Unplanned reviews",
    "reviewed_in_year_share": "Share of long-standing packages reviewed in the year",
    "new_packages": "New packages",
    "active_packages_at_end": "Active packages at the end",
    "group_contacts": "Contacts by client group",
    "group_new_packages": "New packages by client group",
    "group_new_package_cost": "Cost of new packages over the horizon by client group (£)",
    "group_active_packages_at_end": "Active packages at the end by client group",
    "package_cost": "Package cost (£)",
    "package_cost_weekly": "Package cost a week (£)",
    "staff_cost": "Staff cost (£)",
    "total_cost": "Package and staff cost (£)",
}

# What is counted per client group (``demand.groups``), in reading order.
GROUP_MEASURES = ["group_contacts", "group_new_packages", "group_new_package_cost", "group_active_packages_at_end"]

# Ratios shown as percentages; everything else as counts, days, hours or pounds.
PERCENT_MEASURES = {"within_target", "utilisation", "reviewed_in_year_share"}


def kpi_label(kpi: str, name_label=label) -> str:
    """'wait_p90_days.full_assessment' → 'Wait, 90th percentile (days): Full needs assessment (Care Act)'."""
    measure, _, thing = kpi.partition(".")
    head = MEASURE_LABELS.get(measure, measure)
    if not thing:
        return head
    if "@" in thing:  # for people from one referral source
        subject, _, source = thing.partition("@")
        return f"{kpi_label(f'{measure}.{subject}', name_label)}, from {name_label(source)}"
    if thing.endswith(".end") and measure != "package_cost_weekly":  # a snapshot at the end of the run
        return f"{kpi_label(f'{measure}.{thing[:-4]}', name_label)}, at the end"
    if measure == "package_cost_weekly":
        return "Package cost a week at the end (£)"
    if measure == "flow":
        a, _, b = thing.partition("->")
        return f"{head}: {name_label(a)} → {name_label(b)}"
    if measure in ("package_cost", "staff_cost", "total_cost"):
        what = head.removesuffix(" (£)")
        if len(thing) == 7 and thing[:4].isdigit() and thing[4] == "_":  # a financial year, 2017_18
            return f"{what} in {thing[:4]}/{thing[5:]} (£)"
        return {"horizon": f"{what} over the horizon (£)",
                "new_packages.horizon": "Cost of new packages over the horizon (£)"}.get(thing, f"{head}: {thing}")
    return f"{head}: {'All' if thing == 'total' else name_label(thing)}"
