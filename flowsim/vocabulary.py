"""One vocabulary for stages, roles, outcomes, referral sources and KPIs.

Names are what scenario files use; labels are what people read in the CLI,
the app and the charts. A scenario may name things freely and give its own
``label``; names not listed here are shown as written, tidied.
"""
from __future__ import annotations

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

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
    for table in (STAGE_LABELS, ROLE_LABELS, OUTCOME_LABELS, SOURCE_LABELS):
        if name in table:
            return table[name]
    return name.replace("_", " ").capitalize()
