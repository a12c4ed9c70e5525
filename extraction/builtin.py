"""The built-in extraction form: what the review of psychodynamic interventions for children under
five and their caregivers extracted from each study, plus arms, follow-ups and outcome data."""
from __future__ import annotations

from . import outcome_data

BUILTIN_NAME = "Psychodynamic interventions under five (built-in)"

DESIGNS = ["Randomised controlled trial", "Non-randomised controlled study", "Uncontrolled pre-post study"]
CONTROLLED = DESIGNS[:2]
INTERVENTION_CATEGORIES = [
    "Contemporary mentalization-based",
    "Psychodynamically informed attachment-based",
    "Dyadic or triadic psychoanalytic/psychodynamic psychotherapy",
]
PARTICIPANTS = ["Mothers", "Fathers", "Both parents", "Other caregivers"]
SETTINGS = ["Home", "Clinic", "Residential", "Community", "Other"]
FORMATS = ["Individual", "Group", "Mixed"]
REGIONS = ["North America", "Europe", "Australia and New Zealand", "Latin America", "Asia", "Africa",
           "Middle East"]
DIFFICULTIES = [
    "Parental mental health", "Substance misuse", "Poverty and social exclusion", "Maltreatment",
    "Community or domestic violence and trauma", "Other",
]


def _f(key: str, label: str, kind: str, *, required: bool = False, help: str = "", choices=None,
       lo=None, hi=None, unit: str = "") -> dict:
    return {"key": key, "label": label, "type": kind, "required": required, "help": help,
            "choices": list(choices or []), "min": lo, "max": hi, "unit": unit}


def builtin_definition() -> dict:
    return {"sections": [
        {"key": "study", "title": "Study and intervention", "repeat": "", "help": "", "fields": [
            _f("design", "Design", "single", required=True, choices=DESIGNS),
            _f("intervention_category", "Intervention category", "single", required=True,
               choices=INTERVENTION_CATEGORIES),
            _f("programme", "Programme name", "text", help="As the study names it, e.g. Minding the Baby."),
            _f("started_in_pregnancy", "Started in pregnancy", "ynu", required=True),
            _f("participants", "Who took part", "single", required=True, choices=PARTICIPANTS),
            _f("setting", "Setting", "multiple", required=True, choices=SETTINGS),
            _f("format", "Format", "single", required=True, choices=FORMATS),
            _f("country", "Country", "country", required=True),
            _f("region", "Region", "single", choices=REGIONS, help="Where the study took place, for summaries "
               "across countries."),
        ]},
        {"key": "sample", "title": "Sample", "repeat": "", "help": "", "fields": [
            _f("n_caregivers", "Number of caregivers", "integer", required=True, lo=1,
               help="Randomised or enrolled, all arms together."),
            _f("child_age_months", "Child age at start (mean)", "decimal", lo=-9, hi=60, unit="months",
               help="Negative while in pregnancy; up to 60 months (under five)."),
            _f("presenting_difficulties", "Presenting difficulties", "multiple", choices=DIFFICULTIES),
            _f("difficulties_other", "Other difficulties", "text"),
        ]},
        {"key": "arms", "title": "Arms", "repeat": "Arm", "help": "One row per arm of the study.", "fields": [
            _f("name", "Arm name", "text", required=True, help="E.g. Minding the Baby, treatment as usual."),
            _f("role", "Role", "single", required=True, choices=["Intervention", "Comparator"]),
            _f("n_randomised", "Caregivers allocated", "integer", lo=1),
            _f("sessions", "Planned sessions", "integer", lo=0),
        ]},
        {"key": "timepoints", "title": "Time points", "repeat": "Time point", "help": "", "fields": [
            _f("label", "Time point", "text", required=True, help="E.g. post-treatment, 6-month follow-up."),
            _f("months_from_baseline", "Months from baseline", "decimal", lo=0, unit="months"),
        ]},
        {"key": "outcomes_measured", "title": "Outcomes measured", "repeat": "Outcome measure",
         "help": "Each outcome the study measured and the instrument used.", "fields": [
            {**_f("outcome", "Outcome", "single", required=True), "choices_from": "outcomes"},
            _f("instrument", "Instrument", "text", required=True),
        ]},
        outcome_data.section(),
        {"key": "notes", "title": "Notes", "repeat": "", "help": "", "fields": [
            _f("notes", "Notes", "longtext", help="Anything a second reader should know."),
        ]},
    ]}
