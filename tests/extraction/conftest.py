"""A review with named outcomes, included studies, two extractors and the built-in form."""
from __future__ import annotations

import pytest

from extraction import services
from reviewapp import services as review_services
from screening.models import Study
from tests.screening.helpers import import_bytes, make_search, record, ris


@pytest.fixture
def extractors(review, people, make_user):
    """Two extractors: the review's extractor and a second one."""
    second = make_user("extractor2")
    review_services.member_roles_set(actor=people["lead"], review=review, user=second, roles=["extractor"])
    return people["extractor"], second


@pytest.fixture
def outcomes(review, people):
    lead = people["lead"]
    return [review_services.outcome_create(actor=lead, review=review, name="Parental depression", direction="lower"),
            review_services.outcome_create(actor=lead, review=review, name="Parental reflective functioning",
                                           direction="higher")]


@pytest.fixture
def studies(review, people):
    """Three included studies, each with its one report."""
    search = make_search(review, people["lead"])
    import_bytes(search, people["lead"], ris(*(record(n) for n in range(1, 4))), "scopus.ris")
    made = []
    for n, rec in enumerate(review.records.order_by("id"), start=1):
        study = Study.objects.create(review=review, label=f"Author{n} 200{n}")
        rec.study = study
        rec.save(update_fields=["study"])
        made.append(study)
    return made


@pytest.fixture
def builtin(review, people, outcomes):
    return services.template_create_builtin(actor=people["lead"], review=review)


def answers_post(**values) -> dict[str, list[str]]:
    """Form data as the browser posts it: names -> lists of strings."""
    return {name: value if isinstance(value, list) else [str(value)] for name, value in values.items()}


def posted(template, **values) -> dict:
    """The answers the entry page makes of such a post (the services take answers, not inputs)."""
    from extraction.entry_post import answers_from_post
    return answers_from_post(template.current_version.definition, answers_post(**values)).answers


BASE = {
    "f-design": "Randomised controlled trial",
    "f-intervention_category": "Contemporary mentalization-based",
    "f-programme": "Minding the Baby",
    "f-started_in_pregnancy": "Yes",
    "f-participants": "Mothers",
    "f-setting": ["Home", "Clinic"],
    "f-format": "Individual",
    "f-country": "United States",
    "f-n_caregivers": "105",
    "r-arms-0-name": "Minding the Baby",
    "r-arms-0-role": "Intervention",
    "r-arms-1-name": "Usual care",
    "r-arms-1-role": "Comparator",
}
