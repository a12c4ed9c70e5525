"""The demo review, shaped like the review that inspired the project.

Its protocol follows the published review of psychodynamic interventions for children
under five and their caregivers; everything generated for it (records, decisions, data)
is synthetic and every page that shows the review says so.
"""
from __future__ import annotations

import datetime

DEMO_TITLE = (
    "Psychodynamic and psychoanalytic interventions for children under five "
    "and their caregivers"
)
DEMO_PASSWORD = "demo-review-2021"

# username -> (full name, roles in the demo review)
DEMO_USERS = {
    "lead": ("Lena Lead", ["lead"]),
    "reviewer1": ("Rita Reviewer", ["reviewer"]),
    "reviewer2": ("Ravi Reviewer", ["reviewer"]),
    "extractor": ("Ezra Extractor", ["extractor"]),
    "viewer": ("Vera Viewer", ["viewer"]),
}

DEMO_PROTOCOL = {
    "question": (
        "What are the effects of psychodynamic and psychoanalytic interventions for children "
        "under five and their caregivers on caregiver and infant outcomes?"
    ),
    "population": "Caregivers (parents or other primary caregivers) and their children aged 0 to 5 years.",
    "intervention": (
        "Psychodynamic or psychoanalytic interventions delivered to the caregiver-child dyad, "
        "the caregiver or the child (e.g. parent-infant psychotherapy, mentalisation-based programmes)."
    ),
    "intervention_name": "Psychodynamic intervention",
    "comparator_name": "Control",
    "comparator": "Treatment as usual, waiting list, another active intervention, or none (pre-post studies).",
    "outcomes_summary": (
        "Parent-infant interaction, parental reflective functioning, parental depression, infant "
        "development, infant social/emotional/behavioural functioning, infant attachment, parenting stress."
    ),
    "study_designs": "Randomised controlled trial\nNon-randomised controlled study\nUncontrolled pre-post study",
    "planned_databases": "\n".join([
        "CINAHL", "EMBASE", "PsycINFO", "Scopus", "Web of Science", "MEDLINE", "PubMed",
        "Science Citation Index", "Sociological Abstracts", "Cochrane Library",
    ]),
    "search_from": datetime.date(1990, 1, 1),
    "search_to": datetime.date(2021, 9, 30),
    "status": "screening",
}

# name -> (direction that favours the intervention, note)
DEMO_OUTCOMES = [
    ("Parent-infant interaction", "higher", "Observed quality of interaction, e.g. sensitivity scales."),
    ("Parental reflective functioning", "higher", "E.g. the Parental Reflective Functioning Questionnaire."),
    ("Parental depression", "lower", "Symptom scales such as the EPDS or BDI."),
    ("Infant development", "higher", "Cognitive and motor development, e.g. Bayley scales."),
    ("Infant social, emotional and behavioural functioning", "higher",
     "Higher scores mean better functioning; reverse problem scales."),
    ("Infant attachment", "higher", "Proportion securely attached (Strange Situation)."),
    ("Parenting stress", "lower", "E.g. the Parenting Stress Index."),
]
