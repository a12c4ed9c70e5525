"""prisma2020.csv is the PRISMA2020 R package's template with our counts, so PRISMA_data() reads them.

The R package is not installable here (no Debian package, no network), so this checks the file
against what PRISMA_data() does with it: it finds each number by grep()-ing its name in the first
column and reads the `n` column, and reads lists of "name, n; name, n".
"""
from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from screening import services
from screening.models import ScreeningItem
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db

# The names PRISMA_data() looks for in the first column (its grep patterns) and the template's
# 8 columns, as the package's inst/extdata/PRISMA.csv has them.
PATTERNS = [
    "previous_studies", "previous_reports", "register_results", "database_results", "database_specific_results",
    "register_specific_results", "website_results", "organisation_results", "citations_results", "duplicates",
    "excluded_automatic", "excluded_other", "records_screened", "records_excluded", "dbr_sought_reports",
    "dbr_notretrieved_reports", "other_sought_reports", "other_notretrieved_reports", "dbr_assessed",
    "dbr_excluded", "other_assessed", "other_excluded", "new_studies", "new_reports", "total_studies$",
    "total_reports$", "identification", "screening", "included",
]
LISTS = {"database_specific_results", "register_specific_results", "dbr_excluded", "other_excluded"}
TITLE_BOXES = {"prevstud", "newstud", "othstud"}


def _download(client, review) -> list[dict]:
    response = client.get(reverse("prisma2020_csv", args=[review.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'review-{review.pk}-prisma2020.csv"')
    reader = csv.reader(io.StringIO(response.content.decode()))
    header = next(reader)
    assert header == ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]
    return [dict(zip(header, row, strict=True)) for row in reader]


def _read(rows: list[dict], pattern: str) -> str:
    """What PRISMA_data() gets for one name: the `n` of the one row whose `data` matches."""
    hits = [row for row in rows if re.search(pattern, row["data"])]
    assert len(hits) == 1, (pattern, [row["data"] for row in hits])
    return hits[0]["n"]


def _reasons(text: str) -> dict[str, int]:
    """A list cell as the package splits it: on ";", the name before the first comma, n after the last."""
    return {part.split(",")[0].strip(): int(part.rsplit(",", 1)[1]) for part in text.split(";") if part.strip()}


def test_the_file_has_the_template_rows_and_our_counts(client_for, review, people):
    lead = people["lead"]
    services.screening_settings_update(actor=lead, review=review, reviewers_per_record=1,
                                       exclusion_reasons=["Wrong population, adults"])
    import_bytes(make_search(review, lead, database="EMBASE"), lead,
                 ris(*(record(n) for n in range(1, 6))), "embase.ris")
    import_bytes(make_search(review, lead, database="ClinicalTrials.gov; registry, US", source="register"), lead,
                 ris(*(record(n, title=f"Trial {n} registered", doi=f"10.3000/t.{n}") for n in range(1, 3))),
                 "ctgov.ris")
    import_bytes(make_search(review, lead, database="Reference lists", source="citation"), lead,
                 ris(record(1, title="A cited study", doi="10.2000/c.1")), "citations.ris")
    import_bytes(make_search(review, lead, database="Author contact", source="expert"), lead,
                 ris(record(1, title="Unpublished data", doi="10.2000/e.1")), "experts.ris")
    services.screening_items_sync(review_id=review.pk)
    items = iter(ScreeningItem.objects.filter(review=review, stage="ta",
                                              record__search__source__in=["database", "register"]).order_by("id"))
    for value in ("include", "include", "include", "exclude"):
        services.decision_record(actor=lead, review=review, item_id=next(items).pk, value=value)
    full_texts = iter(ScreeningItem.objects.filter(review=review, stage="ft").order_by("id"))
    services.decision_record(actor=lead, review=review, item_id=next(full_texts).pk, value="include")
    services.decision_record(actor=lead, review=review, item_id=next(full_texts).pk, value="exclude",
                             reason="Wrong population, adults")

    rows = _download(client_for(people["viewer"]), review)

    assert len(rows) == 32
    assert {row["box"] for row in rows if row["data"] == "NA"} == TITLE_BOXES
    numbers = {p.rstrip("$"): _read(rows, p) for p in PATTERNS}
    for name, value in numbers.items():
        if name not in LISTS:
            assert value.isdigit(), (name, value)
    assert numbers["database_results"] == "5" and numbers["register_results"] == "2"
    assert _reasons(numbers["database_specific_results"]) == {"EMBASE": 5}
    assert _reasons(numbers["register_specific_results"]) == {"ClinicalTrials.gov registry US": 2}
    assert (numbers["citations_results"], numbers["organisation_results"], numbers["website_results"]) == (
        "1", "1", "0")
    assert next(r for r in rows if r["data"] == "organisation_results")["boxtext"] == "Organisations and experts"
    assert (numbers["records_screened"], numbers["records_excluded"], numbers["dbr_sought_reports"]) == (
        "4", "1", "3")
    assert (numbers["dbr_assessed"], numbers["new_studies"], numbers["total_studies"]) == ("2", "1", "1")
    assert _reasons(numbers["dbr_excluded"]) == {"Wrong population adults": 1}
    assert numbers["other_excluded"] == ""


def test_an_empty_review_gives_zeros_in_the_same_rows(client_for, review, people):
    rows = _download(client_for(people["viewer"]), review)
    assert [row["data"] for row in rows][:3] == ["NA", "previous_studies", "previous_reports"]
    assert {_read(rows, p) for p in PATTERNS if p not in LISTS} == {"0"}


def test_the_prisma_page_links_the_file(client_for, review, people):
    page = client_for(people["viewer"]).get(reverse("prisma", args=[review.pk])).content.decode()
    assert reverse("prisma2020_csv", args=[review.pk]) in page
