"""The review's report: its numbers are those of the pages they link to (PRISMA counts, the
descriptive summaries, each outcome's run and GRADE row); the Word file holds the same sentences;
everyone in the review reads it, only a lead writes its paragraphs (audited, kept as text); and it
says what is out of date."""
from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse

from analysis import services
from analysis.models import AnalysisRun
from analysis.report import builder, gather
from analysis.report.models import TEXT_LIMIT, ReportText
from analysis.sof import selectors as sof_selectors
from extraction import selectors as extraction_selectors
from extraction import summaries
from extraction.appraisal.demo import demo_appraisal_load
from reviewapp.models import AuditEvent
from screening import prisma
from tests.analysis.conftest import World, finished_runs, once_per_run
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db
OUTCOMES = ("Parent-infant interaction", "Parental depression")


def _report(world, capture_on_commit):
    """33 studies with a final consensus and appraisals, a search of 6 records (one a duplicate)
    and a finished run for two outcomes."""
    review, lead = world.review, world.people["lead"]
    demo_appraisal_load(review=review, lead=lead)
    search = make_search(review, lead, database="PsycINFO", platform="Ovid")
    import_bytes(search, lead, ris(*[record(n) for n in range(5)], record(0)), "psycinfo.ris")
    finished_runs(world, OUTCOMES, capture_on_commit)


# For a test of ``reported``, its world built once per run and copied in (tests/analysis/conftest.py).
world_contents, copied = once_per_run("report-reported", _report, "reported")


@pytest.fixture
def reported(copied, review, people, outcomes, studies, django_capture_on_commit_callbacks):
    """The world above; each run's outcome name -> its finished run."""
    if not copied:
        _report(World(review, people, outcomes, None, studies), django_capture_on_commit_callbacks)
    return {name: AnalysisRun.objects.get(analysis__review=review, analysis__outcome=outcomes[name])
            for name in OUTCOMES}


def _api(client, review):
    response = client.get(f"/api/v1/reviews/{review.pk}/report/")
    assert response.status_code == 200, response.content
    return response.json()


def _section(body, key):
    return next(s for s in body["sections"] if s["key"] == key)


def _paragraphs(section) -> list[str]:
    return [b["text"] for b in section["blocks"] if b["kind"] == "paragraph"]


def test_the_numbers_are_those_of_prisma_the_summaries_and_the_runs(client_for, review, people, reported):
    body = _api(client_for(people["viewer"]), review)
    numbers = body["numbers"]
    counts = prisma.prisma_counts(review=review)
    assert numbers["records_identified"] == counts.identified == 6
    assert numbers["duplicates_removed"] == counts.duplicates_removed == 1
    assert numbers["studies_included"] == counts.studies_included
    described = extraction_selectors.described_studies(review=review)
    assert numbers["studies"] == len(described.studies) == 33
    caregivers = sum(s.answers["n_caregivers"] for s in described.studies)
    assert numbers["n_caregivers.sum"] == caregivers
    field = extraction_selectors.summary_field_get(described, "started_in_pregnancy")
    yes = next(v for v in summaries.summarise(field, described.studies).values if v.value == "Yes")
    assert numbers["started_in_pregnancy=Yes"] == yes.count
    included = " ".join(_paragraphs(_section(body, "included")))
    assert f"{caregivers:,} in total across 33 studies" in included
    assert f"Yes {yes.count} of 33 ({round(100 * yes.count / 33)}%)" in included

    rows = {r.outcome.name: r for r in sof_selectors.sof_rows(review=review)}
    effects = _paragraphs(_section(body, "effects"))
    for name, run in reported.items():
        s = run.results["summary"]
        stated = numbers[f"outcome:{name}"]
        assert stated["run"] == run.number and stated["k"] == s["k"] and stated["participants"] == s["participants"]
        assert stated["pval"] == s["pval"] and stated["I2"] == s["I2"]
        assert stated["certainty"] == rows[name].certainty_label
        assert stated["prepost_favourable"] == (run.results.get("prepost") or {}).get("favourable")
        sentence = next(p for p in effects if p.startswith(name + ":"))
        assert f"{s['k']} studies ({s['participants']:,} participants)" in sentence
        assert rows[name].relative in sentence and f"I² = {s['I2']:.0f}%" in sentence
        pp = run.results["prepost"]
        assert f"{pp['favourable']} ({pp['share'] * 100:.0f}%, 95% CI {pp['ci_lb'] * 100:.0f}%" in sentence
    pending = next(p for p in effects if p.startswith("Infant attachment:"))
    assert "not pooled yet" in pending and "Infant attachment" in body["out_of_date"]["missing_outcomes"]


def test_every_computed_number_links_to_its_source_page(client_for, review, people, reported):
    page = client_for(people["lead"]).get(reverse("report", args=[review.pk])).content.decode()
    run = reported[OUTCOMES[0]]
    assert f'href="{reverse("analysis_run_detail", args=[review.pk, run.pk])}"' in page
    assert f'href="{reverse("prisma_box", args=[review.pk, "identified_databases"])}">6 records</a>' in page
    assert f'href="{reverse("extraction_summaries", args=[review.pk])}#number-n_caregivers"' in page
    assert f'href="{reverse("sof", args=[review.pk])}#outcome-{run.analysis.outcome_id}"' in page
    assert f'<img src="{reverse("prisma_svg", args=[review.pk])}"' in page  # the figures are the pages' own
    body = _api(client_for(people["lead"]), review)
    links = [link for b in _section(body, "effects")["blocks"] if b["kind"] == "paragraph" for link in b["links"]]
    assert all(link["href"] for link in links) and any(link["text"].startswith("SMD") for link in links)


def test_the_methods_come_from_the_protocol_the_log_and_the_analyses(client_for, review, people, reported):
    body = _api(client_for(people["lead"]), review)
    methods = " ".join(_paragraphs(_section(body, "methods")))
    assert "We searched 1 database (PsycINFO via Ovid) on 30 September 2021" in methods
    assert "blind to each other's decisions" in methods
    assert "For parent-infant interaction and parental depression, standardised mean differences" in methods
    assert "restricted maximum likelihood (REML)" in methods and "Only controlled studies" in methods
    assert "metafor" in methods and "Wilson score interval" in methods
    assert "for 33 studies with a final consensus" in methods and "RoB 2" in methods


def test_agreement_figures_follow_the_agreement_pages_rule():
    lead_view = builder.ReportFacts(title="t", agreement=[builder.AgreementFact(
        stage="ta", n=200, percent=95.0, kappa=0.71, kappa_ci=(0.6, 0.82), pabak=0.9, pairs=1)])
    text = " ".join(p.text for p in builder.methods(lead_view).blocks if p.kind == "paragraph")
    assert "agreed on 95.0% of 200 records both screened (Cohen's kappa 0.71, 95% CI 0.60 to 0.82; PABAK 0.90)" \
        in text
    hidden = " ".join(p.text for p in builder.methods(builder.ReportFacts(title="t")).blocks)
    assert "kappa" not in hidden and "shown to the review's leads" in hidden


def test_only_leads_get_the_agreement_figures(review, people, reported):
    assert gather.report_facts(review=review, roles={"lead"}).agreement is not None
    for role in ("viewer", "reviewer", "extractor"):
        assert gather.report_facts(review=review, roles={role}).agreement is None


def test_the_word_file_opens_and_holds_the_same_sentences(client_for, review, people, reported):
    from docx import Document

    client = client_for(people["viewer"])
    body = _api(client, review)
    response = client.get(reverse("report_docx", args=[review.pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Generated on " in text
    for key in ("methods", "selection", "included", "effects"):
        for paragraph in _paragraphs(_section(body, key)):
            assert paragraph in text
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert "Parent-infant interaction" in cells and "Started in pregnancy" in cells
    assert len(document.inline_shapes) >= 2  # PRISMA and risk-of-bias figures


def test_members_read_leads_write_outsiders_get_404(client_for, review, people, reported):
    url = reverse("report", args=[review.pk])
    viewer = client_for(people["viewer"])
    page = viewer.get(url)
    assert page.status_code == 200 and 'id="report-form"' not in page.content.decode()
    assert viewer.post(url, {"discussion": "mine"}).status_code == 403
    assert viewer.patch(f"/api/v1/reviews/{review.pk}/report/", {"discussion": "mine"},
                        content_type="application/json").status_code == 403
    assert not ReportText.objects.exists()
    outsider = client_for(people["outsider"])
    assert outsider.get(url).status_code == 404
    assert outsider.get(reverse("report_docx", args=[review.pk])).status_code == 404
    assert 'id="report-form"' in client_for(people["lead"]).get(url).content.decode()


def test_the_leads_paragraphs_are_text_audited_and_edited_on_page_and_api(client_for, review, people, reported):
    client = client_for(people["lead"])
    url = reverse("report", args=[review.pk])
    response = client.post(url, {"background": "<script>alert(1)</script>\n\nSecond paragraph.",
                                 "discussion": "", "conclusions": "", "summary_fields": ["region", "n_caregivers"]})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "<p>Second paragraph.</p>" in page
    event = AuditEvent.objects.get(object_type="analysis.ReportText")
    assert event.action == "create" and event.after["background"].startswith("<script>")
    body = client.patch(f"/api/v1/reviews/{review.pk}/report/", {"conclusions": "Promising."},
                        content_type="application/json").json()
    assert body["texts"]["conclusions"] == "Promising." and body["texts"]["background"].endswith("paragraph.")
    included = " ".join(_paragraphs(_section(body, "included")))
    assert "Region:" in included and "Started in pregnancy" not in included
    update = AuditEvent.objects.filter(object_type="analysis.ReportText", action="update").get()
    assert update.before == {**update.before, "conclusions": ""} and update.after["conclusions"] == "Promising."
    assert "numbers_seen" not in update.after


def test_bad_input_is_refused_by_name_and_changes_nothing(client_for, review, people, reported):
    client = client_for(people["lead"])
    api = f"/api/v1/reviews/{review.pk}/report/"
    assert client.patch(api, {"discussion": "Kept."}, content_type="application/json").status_code == 200
    too_long = client.post(reverse("report", args=[review.pk]), {"discussion": "x" * (TEXT_LIMIT + 1)})
    assert too_long.status_code == 400 and f"the limit is {TEXT_LIMIT:,}" in too_long.content.decode()
    refused = client.patch(api, {"summary_fields": ["region", "shoe_size"]}, content_type="application/json")
    assert refused.status_code == 400 and "shoe_size" in refused.content.decode()
    unknown = client.patch(api, {"abstract": "x"}, content_type="application/json")
    assert unknown.status_code == 400 and "abstract" in unknown.content.decode()
    stored = ReportText.objects.get()
    assert stored.discussion == "Kept." and stored.summary_fields is None


def test_the_report_says_which_results_and_figures_are_out_of_date(client_for, review, people, outcomes,
                                                                    template, reported):
    from extraction.demo import demo_answers
    from screening.models import Study
    from tests.analysis.conftest import finalise

    client = client_for(people["lead"])
    url = reverse("report", args=[review.pk])
    assert client.patch(f"/api/v1/reviews/{review.pk}/report/", {"discussion": "As of today."},
                        content_type="application/json").status_code == 200
    page = client.get(url).content.decode()
    assert "Out of date" not in page and 'id="changed-since-saved"' not in page

    analysis = reported[OUTCOMES[0]].analysis
    services.analysis_update(actor=people["lead"], analysis=analysis, outcome=analysis.outcome, method="DL")
    body = _api(client, review)
    assert body["out_of_date"]["stale_outcomes"] == [OUTCOMES[0]]
    sentence = next(p for p in _paragraphs(_section(body, "effects")) if p.startswith(OUTCOMES[0]))
    assert f"Out of date: the data changed since run {reported[OUTCOMES[0]].number}" in sentence
    assert body["out_of_date"]["changed_since_saved"] == []  # the stated figures have not moved

    extra = Study.objects.create(review=review, label="Synthetic 99")  # one more study with a final consensus
    finalise(template, extra, demo_answers(extra, 33, list(outcomes)))
    body = _api(client, review)
    assert "studies" in body["out_of_date"]["changed_since_saved"]
    assert body["numbers"]["studies"] == 34
    page = client.get(url).content.decode()
    assert 'id="changed-since-saved"' in page and re.search(r"Out of date:</strong> the pooled results? of", page)
    # saving again takes today's figures as the new reference
    client.patch(f"/api/v1/reviews/{review.pk}/report/", {"discussion": "Read again."}, content_type="application/json")
    assert _api(client, review)["out_of_date"]["changed_since_saved"] == []


def test_no_search_yet_names_the_planned_databases():
    facts = builder.ReportFacts(title="t", planned_databases=["CINAHL", "PsycINFO"])
    assert builder.methods(facts).blocks[0].text == "No search is recorded yet; the protocol plans CINAHL and PsycINFO."


def _stale_outcomes(client, review) -> list[str]:
    return _api(client, review)["out_of_date"]["stale_outcomes"]


def test_the_report_marks_a_run_stale_after_each_input_change_and_fresh_after_a_rerun(
        client_for, review, people, template, reported, django_capture_on_commit_callbacks):
    """The staleness the report shows is read once per page for every analysis: still never a stale
    run shown as fresh, and only the analysis whose data moved is marked."""
    client = client_for(people["lead"])
    assert _stale_outcomes(client, review) == []
    run = reported[OUTCOMES[1]]
    label = run.inputs["studies"][0]["label"]
    extraction = next(e for e in template.extractions.select_related("study") if e.study.label == label)
    answers = extraction.consensus
    row = next(r for r in answers["outcome_data"] if r["outcome"] == OUTCOMES[1])
    row["i_n"] = row.get("i_n", 10) + 40  # an extracted value edited
    extraction.consensus = answers
    extraction.save()
    assert _stale_outcomes(client, review) == [OUTCOMES[1]]
    with django_capture_on_commit_callbacks(execute=True):
        services.analysis_run_request(actor=people["lead"], analysis=run.analysis)
    assert _stale_outcomes(client, review) == []

    extraction.status = "in_progress"  # the study leaves every analysis (its extraction is no longer final)
    extraction.save()
    assert set(_stale_outcomes(client, review)) == set(OUTCOMES)
    page = client.get(reverse("report", args=[review.pk])).content.decode()
    assert page.count("Out of date: the data changed since run") == 2
    for name in OUTCOMES:
        with django_capture_on_commit_callbacks(execute=True):
            services.analysis_run_request(actor=people["lead"], analysis=reported[name].analysis)
    assert _stale_outcomes(client, review) == []
    page = client.get(reverse("report", args=[review.pk])).content.decode()
    assert "Out of date: the data changed since run" not in page


def test_the_review_s_data_are_read_once_for_every_analysis_s_staleness(
        review, people, outcomes, reported, django_assert_max_num_queries):
    """analyses_inputs gives what analysis_inputs gives each analysis (with and without the
    high-risk rule), in as many queries for six analyses as for one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from analysis import selectors
    from analysis.models import Analysis

    for name in OUTCOMES:
        services.analysis_create(actor=people["lead"], review=review, outcome=outcomes[name],
                                 name=f"{name} (low risk only)", exclude_high_risk=True)
        services.analysis_create(actor=people["lead"], review=review, outcome=outcomes[name],
                                 name=f"{name} (DL)", method="DL")
    analyses = list(Analysis.objects.filter(review=review).select_related("outcome"))
    assert len(analyses) == 6 and any(a.exclude_high_risk for a in analyses)
    together = selectors.analyses_inputs(review=review, analyses=analyses)
    for a in analyses:
        assert together[a.pk].as_dict() == selectors.analysis_inputs(analysis=a).as_dict(), a.name
    assert any(e["reason"].startswith("high risk of bias") for a in analyses for e in together[a.pk].excluded)
    with CaptureQueriesContext(connection) as one:
        two = analyses[:1] + [a for a in analyses if a.exclude_high_risk][:1]
        selectors.analyses_inputs(review=review, analyses=two)
    with django_assert_max_num_queries(len(one.captured_queries)):
        selectors.analyses_inputs(review=review, analyses=analyses)
