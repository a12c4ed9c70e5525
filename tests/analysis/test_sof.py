"""The summary of findings in the app: the table from the runs with GRADE proposals grounded in the
appraisals, the lead's ratings (a change needs a reason and is audited), who may do what, the
downloads (HTML/CSV/XLSX), RevMan Web's four CSVs, the R archive and robvis CSVs."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from analysis import services
from analysis.models import AnalysisRun
from analysis.sof import selectors as sof_selectors
from analysis.sof import services as sof_services
from analysis.sof.audit import SIGNED, assessment_audit_summary
from extraction.appraisal.demo import demo_appraisal_load
from extraction.selectors import risk_of_bias_overall
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent
from tests.analysis.conftest import World, finished_runs, once_per_run
from tests.support import require

pytestmark = pytest.mark.django_db
OUTCOME = "Parent-infant interaction"
RUN_OUTCOMES = (OUTCOME, "Parental depression")


def _appraise(world, capture_on_commit):
    """The demo's synthetic appraisals of the 33 studies and one finished run per outcome of two."""
    review, lead = world.review, world.people["lead"]
    demo_appraisal_load(review=review, lead=lead)
    finished_runs(world, RUN_OUTCOMES, capture_on_commit)


# For a test of ``appraised``, its world built once per run and copied in (tests/analysis/conftest.py).
world_contents, copied = once_per_run("sof-appraised", _appraise, "appraised")


@pytest.fixture
def appraised(copied, review, people, outcomes, studies, django_capture_on_commit_callbacks):
    """The appraisals and each run's outcome name -> its finished run."""
    if not copied:
        _appraise(World(review, people, outcomes, None, studies), django_capture_on_commit_callbacks)
    return {name: AnalysisRun.objects.get(analysis__review=review, analysis__outcome=outcomes[name])
            for name in RUN_OUTCOMES}


def _row(review, name):
    return next(r for r in sof_selectors.sof_rows(review=review) if r.outcome.name == name)


def test_each_outcome_gets_a_row_with_proposals_grounded_in_the_appraisals(review, appraised):
    rows = sof_selectors.sof_rows(review=review)
    assert [r.outcome.name for r in rows][:1] == [OUTCOME]
    row = _row(review, OUTCOME)
    s = appraised[OUTCOME].results["summary"]
    assert row.k == s["k"] and row.relative.startswith("SMD")
    assert row.start == 4  # randomised trials carry most of the weight in the demo's controlled studies
    rob = next(d for d in row.domains if d.domain == "risk_of_bias")
    assert "of the weight from studies at high risk" in rob.proposal.reason
    # the demo appraises each trial's first two measured outcomes only: the others say so
    judgements = risk_of_bias_overall(review=review)
    missing = sum(1 for st in appraised[OUTCOME].inputs["studies"]
                  if (st["study_id"], OUTCOME) not in judgements and (st["study_id"], "") not in judgements)
    assert (f"{missing} of {row.k} studies are not appraised" in rob.proposal.reason) == (missing > 0)
    inconsistency = next(d for d in row.domains if d.domain == "inconsistency")
    assert f"I² = {s['I2']:.0f}%" in inconsistency.proposal.reason
    assert 1 <= row.certainty <= 4
    # outcomes without a run have a row that says so
    empty = _row(review, "Infant attachment")
    assert empty.run is None and not empty.domains


def test_the_lead_changes_a_rating_only_with_a_reason_and_the_change_is_audited(client_for, review, people,
                                                                                outcomes, appraised):
    row = _row(review, OUTCOME)
    proposal = next(d for d in row.domains if d.domain == "inconsistency").proposal
    other = -2 if proposal.change != -2 else 0
    client = client_for(people["lead"])
    url = reverse("sof_ratings", args=[review.pk, outcomes[OUTCOME].pk])
    response = client.post(url, {"change-inconsistency": other, "reason-inconsistency": ""}, follow=True)
    assert "Inconsistency: give a reason for rating it" in response.content.decode()
    assert _row(review, OUTCOME).assessment is None  # nothing stored, not even an empty assessment
    client.post(url, {"change-inconsistency": other, "reason-inconsistency": "Settings differ across countries"})
    row = _row(review, OUTCOME)
    d = next(d for d in row.domains if d.domain == "inconsistency")
    assert d.change == other and d.changed_by_lead and d.rating["proposed"] == proposal.change
    event = AuditEvent.objects.filter(object_type="analysis.GradeAssessment", action="update").latest("pk")
    assert event.after["ratings"]["inconsistency"]["reason"] == "Settings differ across countries"
    assert assessment_audit_summary(event) == (f"GRADE: {OUTCOME}: Inconsistency changed at "
                                               f"{SIGNED[other]} (Settings differ across countries)")
    trail = client.get(reverse("audit_log", args=[review.pk])).content.decode()
    assert "Inconsistency changed at" in trail
    page = client.get(reverse("sof", args=[review.pk])).content.decode()
    assert "changed by the lead" in page and "Reason: Settings differ across countries" in page
    # confirming a proposal needs no reason
    proposed = next(x for x in row.domains if x.domain == "imprecision").proposal.change
    sof_services.ratings_set(actor=people["lead"], review=review, outcome=outcomes[OUTCOME],
                             ratings={"imprecision": {"change": proposed, "reason": ""}}, confirm=True)
    assert _row(review, OUTCOME).assessment.ratings["imprecision"]["reason"] == ""


def test_ratings_outside_a_domains_range_are_refused(review, people, outcomes, appraised):
    with pytest.raises(ApplicationError, match="takes 0, -1, -2"):
        sof_services.ratings_set(actor=people["lead"], review=review, outcome=outcomes[OUTCOME],
                                 ratings={"risk_of_bias": {"change": 1, "reason": "x"}}, confirm=True)
    with pytest.raises(ApplicationError, match="proportion between 0 and 1"):
        sof_services.assessment_update(actor=people["lead"], review=review, outcome=outcomes[OUTCOME],
                                       control_risk=20)


def test_the_threshold_and_sd_feed_imprecision_and_the_back_translation(review, people, outcomes, appraised):
    sof_services.assessment_update(actor=people["lead"], review=review, outcome=outcomes[OUTCOME], mid=0.2,
                                   sd=10.0, sd_scale="the CARE-Index")
    row = _row(review, OUTCOME)
    imprecision = next(d for d in row.domains if d.domain == "imprecision")
    reason = imprecision.proposal.reason
    assert "(0.2)" in reason and "optimal information size of 785" in reason
    assert "points" in row.absolute.note and "the CARE-Index" in row.absolute.note


def test_members_read_and_download_but_only_leads_rate_and_outsiders_get_404(client_for, review, people, outcomes,
                                                                          appraised):
    reader = client_for(people["viewer"])
    page = reader.get(reverse("sof", args=[review.pk])).content.decode()
    assert OUTCOME in page and "Confirm or change" not in page and "Save settings" not in page
    assert reader.post(reverse("sof_ratings", args=[review.pk, outcomes[OUTCOME].pk]),
                       {"change-imprecision": 0}).status_code == 403
    assert reader.post(reverse("sof_accept_all", args=[review.pk])).status_code == 403
    assert reader.post(reverse("sof_settings", args=[review.pk, outcomes[OUTCOME].pk]), {}).status_code == 403
    assert reader.get(reverse("sof_download", args=[review.pk, "csv"])).status_code == 200
    outsider = client_for(people["outsider"])
    for url in (reverse("sof", args=[review.pk]), reverse("sof_download", args=[review.pk, "html"]),
                reverse("revman_download", args=[review.pk]), reverse("r_download", args=[review.pk])):
        assert outsider.get(url).status_code == 404, url


def test_the_table_downloads_as_word_friendly_html_csv_and_xlsx(client_for, review, people, appraised):
    client = client_for(people["viewer"])
    html = client.get(reverse("sof_download", args=[review.pk, "html"]))
    assert html["Content-Type"].startswith("text/html") and "attachment" in html["Content-Disposition"]
    body = html.content.decode()
    assert body.count("<table") == 1 and "<style>" in body and "style=" not in body and "<script" not in body
    assert "Certainty of the evidence (GRADE)" in body and OUTCOME in body
    rows = list(csv.reader(io.StringIO(client.get(reverse("sof_download", args=[review.pk, "csv"])).content.decode())))
    assert rows[0] == sof_selectors.table_header({95}) and len(rows) == 1 + review.outcomes.count()
    assert rows[0][2] == "Risk with intervention / effect (95% CI)"
    interaction = next(r for r in rows if r[0] == OUTCOME)
    assert interaction[2].startswith("SMD") and interaction[3] == "—"  # GRADE: no relative effect for an SMD
    assert any(level in interaction[5] for level in ("High", "Moderate", "Low", "Very low"))
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("sof_download", args=[review.pk, "xlsx"])).content))
    assert [c.value for c in next(book.active.iter_rows())] == sof_selectors.table_header({95})


# A direction word beside a signed number ("0.35 SD lower (-0.45 to -0.25)") is a double negative.
DOUBLE_NEGATIVE = re.compile(r"\b(lower|higher|fewer|more)\b[^.;:]*?[-\u2212]\d")


def _rerun_at(people, run, level, django_capture_on_commit_callbacks):
    services.analysis_update(actor=people["lead"], analysis=run.analysis, level=level)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.analysis_run_request(actor=people["lead"], analysis=run.analysis)
    again.refresh_from_db()
    assert again.status == "done", again.error
    return again


def test_every_effect_in_the_table_names_its_level_and_states_a_direction_once(
        client_for, review, people, appraised, django_capture_on_commit_callbacks):
    # One analysis at 90 %, the other at 95 %: the header cannot name one level, so each cell does.
    run = _rerun_at(people, appraised["Parental depression"], 90, django_capture_on_commit_callbacks)
    assert run.results["summary"]["shown"]["b"] < 0  # lower depression: the case of the double negative
    client = client_for(people["viewer"])
    rows = list(csv.reader(io.StringIO(client.get(reverse("sof_download", args=[review.pk, "csv"])).content.decode())))
    assert rows[0][2] == "Risk with intervention / effect (CI at the level in each cell)"
    depression = next(r for r in rows if r[0] == "Parental depression")
    interaction = next(r for r in rows if r[0] == OUTCOME)
    assert re.match(r"SMD \d\.\d\d SD lower \(90% CI \d\.\d\d lower to \d\.\d\d (lower|higher)\)", depression[2])
    assert "(95% CI " in interaction[2]
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("sof_download", args=[review.pk, "xlsx"])).content))
    cells = [[c.value for c in r] for r in book.active.iter_rows()]
    word = client.get(reverse("sof_download", args=[review.pk, "html"])).content.decode()
    page = client.get(reverse("sof", args=[review.pk])).content.decode()
    assert depression[2] in [r[2] for r in cells] and depression[2] in word and depression[2] in page
    for text in [r[2] for r in rows[1:]] + [word, page, run.results["plain_language"]]:
        assert not DOUBLE_NEGATIVE.search(text), DOUBLE_NEGATIVE.search(text)
    assert "SMD " in run.results["plain_language"] and "(90% CI " in run.results["plain_language"]
    # Both at 90 %: the header names it once, the cells need not.
    _rerun_at(people, appraised[OUTCOME], 90, django_capture_on_commit_callbacks)
    header = sof_selectors.table(review=review)[0]
    assert header[2:4] == ["Risk with intervention / effect (90% CI)", "Relative effect (90% CI)"]


def _zip_csvs(data: bytes) -> dict[str, list[list[str]]]:
    z = zipfile.ZipFile(io.BytesIO(data))
    return {name: list(csv.reader(io.StringIO(z.read(name).decode()))) for name in z.namelist()}


def test_revman_web_gets_its_four_study_centric_csvs(client_for, review, people, studies, appraised):
    files = _zip_csvs(client_for(people["viewer"]).get(reverse("revman_download", args=[review.pk])).content)
    assert set(files) == {"study_information.csv", "study_arms.csv", "study_results.csv", "risk_of_bias_2.csv"}
    info, arms, results, rob2 = (files[n] for n in ("study_information.csv", "study_arms.csv", "study_results.csv",
                                                    "risk_of_bias_2.csv"))
    # one row per study, arm, result arm and RoB 2 result; every row as wide as its header
    assert info[0][0] == "Study" and "Char: Design" in info[0] and "Covariate: Number of caregivers" in info[0]
    assert len(info) == 1 + len(studies)
    assert arms[0] == ["Study", "Arm", "Intervention", "Number allocated", "Planned sessions"]
    # short names, as RevMan matches them against the review's interventions (here derived from the
    # protocol's sentences, which name none)
    assert {r[2] for r in arms[1:]} == {review.intervention_short, review.comparator_short}
    assert results[0][:7] == ["Study", "Outcome", "Time point", "Instrument", "Arm", "Intervention", "Data type"]
    assert {r[6] for r in results[1:]} <= {"Continuous", "Dichotomous", "Contrast"}
    assert rob2[0][:5] == ["Study", "Outcome", "Result", "Effect of interest", "Tool"]
    assert rob2[0][5:] == [f"{name}: {part}" for name in (
        "D1 Randomisation process", "D2 Deviations from intended interventions", "D3 Missing outcome data",
        "D4 Measurement of the outcome", "D5 Selection of the reported result", "Overall")
        for part in ("judgement", "support")]
    assert {r[rob2[0].index("Overall: judgement")] for r in rob2[1:]} <= {"Low", "Some concerns", "High"}
    assert len(rob2) > 1
    for rows in files.values():
        assert all(len(r) == len(rows[0]) for r in rows)


def test_revman_names_interventions_by_their_short_names(client_for, review, people, studies, appraised):
    """RevMan matches the Intervention column exactly against the review's interventions: the lead's
    short names, else the first phrase of the protocol's sentence, never the whole sentence."""
    client = client_for(people["viewer"])
    review.intervention = "Parent-infant psychotherapy (any psychodynamic model), delivered to the dyad."
    review.comparator = "Usual care, waiting list or no treatment"
    review.save()

    def intervention_columns():
        files = _zip_csvs(client.get(reverse("revman_download", args=[review.pk])).content)
        return ({r[2] for r in files["study_arms.csv"][1:]}, {r[5] for r in files["study_results.csv"][1:]})

    assert intervention_columns() == ({"Parent-infant psychotherapy", "Usual care"},) * 2
    review.intervention_name, review.comparator_name = "PIP", "Control"
    review.save()
    assert intervention_columns() == ({"PIP", "Control"},) * 2


def test_robvis_gets_one_csv_per_tool_in_its_template(client_for, review, people, appraised):
    client = client_for(people["viewer"])
    page = client.get(reverse("sof", args=[review.pk])).content.decode()
    assert "robvis-rob2-parallel.csv" in page and "robvis-robins-i.csv" in page
    rob2 = list(csv.reader(io.StringIO(client.get(
        reverse("robvis_download", args=[review.pk, "robvis-rob2-parallel.csv"])).content.decode())))
    assert rob2[0] == ["Study", "D1", "D2", "D3", "D4", "D5", "Overall", "Weight"]
    assert {v for r in rob2[1:] for v in r[1:7]} <= {"Low", "Some concerns", "High", "No information"}
    robins = list(csv.reader(io.StringIO(client.get(
        reverse("robvis_download", args=[review.pk, "robvis-robins-i.csv"])).content.decode())))
    assert robins[0] == ["Study", "D1", "D2", "D3", "D4", "D5", "D6", "D7", "Overall", "Weight"]
    assert client.get(reverse("robvis_download", args=[review.pk, "robvis-nothing.csv"])).status_code == 404


@pytest.mark.oracle
def test_the_r_archive_runs_as_is_and_reproduces_the_stored_results(client_for, review, people, appraised, tmp_path):
    require(shutil.which("Rscript") is not None, "Rscript is not installed (apt-get install r-cran-metafor)")
    probe = subprocess.run(["Rscript", "-e", "library(metafor); library(jsonlite)"], capture_output=True)
    require(probe.returncode == 0, "R's metafor or jsonlite is missing")
    data = client_for(people["viewer"]).get(reverse("r_download", args=[review.pk])).content
    zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path)
    done = subprocess.run(["Rscript", "run_all.R"], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "all 2 analyses reproduced" in done.stdout
    for run in appraised.values():
        folder = tmp_path / f"{run.analysis.name.lower().replace(' ', '-')}-run{run.number}"
        r = json.loads((folder / "results-R.json").read_text())
        assert r["b"] == pytest.approx(run.results["summary"]["b"], rel=1e-6)
        assert r["k"] == run.results["summary"]["k"]


def test_the_page_says_when_the_run_behind_a_row_is_stale(client_for, review, people, outcomes, appraised):
    client = client_for(people["lead"])
    assert "This run is stale" not in client.get(reverse("sof", args=[review.pk])).content.decode()
    analysis = appraised[OUTCOME].analysis
    services.analysis_update(actor=people["lead"], analysis=analysis, outcome=analysis.outcome, method="DL")
    page = client.get(reverse("sof", args=[review.pk])).content.decode()
    assert page.count("This run is stale") == 1


def test_the_dashboard_asks_the_lead_to_confirm_the_ratings(review, people, appraised):
    from analysis.sof.stages import sof_stage

    stage = sof_stage(review, people["lead"], {"lead"})
    # two outcomes have a run, each with eight domains not yet confirmed
    assert stage.status == "in progress" and dict(stage.counts) == {"Outcomes with a row": 2,
                                                                    "Ratings to confirm": 16}
    assert [t.text for t in stage.todos] == ["Confirm or change 16 GRADE ratings"]
    assert sof_stage(review, people["viewer"], {"viewer"}).todos == []


def test_a_binary_outcome_gets_absolute_effects_from_the_assumed_control_risk(review, people, outcomes, studies,
                                                                              django_capture_on_commit_callbacks):
    outcome = outcomes["Infant attachment"]  # the demo extracts it as events (securely attached)
    analysis = services.analysis_create(actor=people["lead"], review=review, outcome=outcome, measure="OR")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.analysis_run_request(actor=people["lead"], analysis=analysis)
    run.refresh_from_db()
    assert run.status == "done", run.error
    row = _row(review, "Infant attachment")
    assert "Set an assumed control risk" in row.absolute.note
    sof_services.assessment_update(actor=people["lead"], review=review, outcome=outcome, control_risk=0.45,
                                   mid=1.25)
    row = _row(review, "Infant attachment")
    odds_ratio = run.results["summary"]["shown"]["b"]
    risk = round(1000 * odds_ratio * 0.45 / (1 - 0.45 + odds_ratio * 0.45))
    assert row.absolute.comparator == "450 per 1000"
    assert row.absolute.intervention.startswith(f"{risk} per 1000 (")
    imprecision = next(d for d in row.domains if d.domain == "imprecision").proposal.reason
    assert "threshold 1.25" in imprecision and "optimal information size of 585" in imprecision
    line = next(r for r in sof_selectors.table(review=review) if r[0] == "Infant attachment")
    assert line[1] == "450 per 1000" and line[3].startswith("OR ") and "per 1000" in line[2]


def test_grade_takes_i2_s_interval_from_the_engine_and_runs_stored_without_it_get_the_same(review, appraised):
    """A run keeps RmaResult.I2_ci; GRADE's inconsistency states it. A run stored before it was
    kept gets the same interval from tau2's (grade.i2_interval, metafor's formula without moderators)."""
    from analysis import grade
    from analysis.models import AnalysisRun

    for run in appraised.values():
        s = run.results["summary"]
        assert s["I2_ci"] is not None and s["I2_ci"][0] <= s["I2"] <= s["I2_ci"][1]
        assert grade.i2_interval(tuple(s["tau2_ci"]), [x["vi"] for x in run.inputs["studies"]]) == pytest.approx(
            s["I2_ci"], rel=1e-9, abs=1e-9)
        row = next(r for r in sof_selectors.sof_rows(review=review) if r.run and r.run.pk == run.pk)
        reason = row.domains[grade.DOMAINS.index("inconsistency")].proposal.reason
        assert f"{s['I2_ci'][0]:.0f} to {s['I2_ci'][1]:.0f}%" in reason
        old = {**run.results, "summary": {k: v for k, v in s.items() if k != "I2_ci"}}
        AnalysisRun.objects.filter(pk=run.pk).update(results=old)
        row = next(r for r in sof_selectors.sof_rows(review=review) if r.run and r.run.pk == run.pk)
        assert row.domains[grade.DOMAINS.index("inconsistency")].proposal.reason == reason
