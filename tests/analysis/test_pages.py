"""The analysis pages: everyone in the review reads results; only leads define and run; outsiders get 404."""
from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.urls import reverse

from analysis import services
from analysis.models import Analysis, AnalysisRun
from tests.support import require

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_run(review, people, outcomes, studies, django_capture_on_commit_callbacks):
    analysis = services.analysis_create(actor=people["lead"], review=review,
                                        outcome=outcomes["Parent-infant interaction"], subgroup_field="format")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.analysis_run_request(actor=people["lead"], analysis=analysis)
    run.refresh_from_db()
    assert run.status == "done", run.error
    return run


def test_reviewer_reads_results_but_has_no_run_button(client_for, review, people, done_run):
    client = client_for(people["reviewer"])
    page = client.get(reverse("analysis_detail", args=[review.pk, done_run.analysis_id])).content.decode()
    assert "Forest plot" in page and "<svg" in page and "Test for subgroup differences" in page
    assert ">Run</button>" not in page and "Edit settings" not in page
    listing = client.get(reverse("analysis_list", args=[review.pk])).content.decode()
    assert "Run all" not in listing and "Parent-infant interaction" in listing
    assert client.post(reverse("analysis_run", args=[review.pk, done_run.analysis_id])).status_code == 403
    assert client.post(reverse("analyses_run_all", args=[review.pk])).status_code == 403
    assert client.get(reverse("analysis_new", args=[review.pk])).status_code == 403
    assert AnalysisRun.objects.count() == 1


def test_outsiders_get_404_everywhere(client_for, review, people, done_run):
    client = client_for(people["outsider"])
    for url in (reverse("analysis_list", args=[review.pk]),
                reverse("analysis_detail", args=[review.pk, done_run.analysis_id]),
                reverse("analysis_run_status", args=[review.pk, done_run.pk]),
                reverse("analysis_run_zip", args=[review.pk, done_run.pk]),
                reverse("analysis_run_plot", args=[review.pk, done_run.pk, "forest", "svg"])):
        assert client.get(url).status_code == 404, url


def test_lead_defines_one_analysis_per_outcome_in_two_clicks_and_runs_all(client_for, review, people, outcomes,
                                                                          studies, django_capture_on_commit_callbacks):
    client = client_for(people["lead"])
    listing = client.get(reverse("analysis_list", args=[review.pk])).content.decode()
    assert "One analysis per outcome" in listing
    client.post(reverse("analyses_defaults", args=[review.pk]))
    assert list(Analysis.objects.values_list("name", flat=True)) == list(outcomes)
    assert {(a.method, a.test, a.measure, tuple(a.designs)) for a in Analysis.objects.all()} == {
        ("REML", "z", "SMD", ("Randomised controlled trial", "Non-randomised controlled study"))}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("analyses_run_all", args=[review.pk]))
    assert AnalysisRun.objects.filter(status="done").count() == 7


def test_lead_defines_an_analysis_with_the_form(client_for, review, people, outcomes, template):
    client = client_for(people["lead"])
    response = client.post(reverse("analysis_new", args=[review.pk]), {
        "outcome": outcomes["Parental depression"].pk, "name": "", "timepoint": "last", "measure": "MD",
        "method": "DL", "test": "knha", "designs": ["Randomised controlled trial"], "level": "90",
        "subgroup_field": "", "cluster_field": ""})
    analysis = Analysis.objects.get()
    assert response.status_code == 302
    assert (analysis.name, analysis.timepoint, analysis.measure, analysis.method, analysis.test, analysis.designs,
            analysis.level) == ("Parental depression", "last", "MD", "DL", "knha", ["Randomised controlled trial"], 90)


def test_status_json_and_results_fragment(client_for, review, people, done_run):
    client = client_for(people["viewer"])
    status = client.get(reverse("analysis_run_status", args=[review.pk, done_run.pk])).json()
    assert status["status"] == "done" and status["finished"] and status["results_url"]
    fragment = client.get(status["results_url"]).content.decode()
    assert "Results of run 1" in fragment and "Leave-one-out" in fragment


def test_plots_download_as_svg_and_png(client_for, review, people, done_run):
    client = client_for(people["viewer"])
    svg = client.get(reverse("analysis_run_plot", args=[review.pk, done_run.pk, "forest", "svg"]))
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.startswith(b"<svg")
    assert b"group-heading" in svg.content  # subgroup headings
    png = client.get(reverse("analysis_run_plot", args=[review.pk, done_run.pk, "funnel", "png"]))
    require(png.status_code != 503, "the cairo library is not installed (apt-get install libcairo2)")
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_run_downloads_as_a_folder_with_data_and_scripts(client_for, review, people, done_run):
    client = client_for(people["viewer"])
    response = client.get(reverse("analysis_run_zip", args=[review.pk, done_run.pk]))
    z = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(z.namelist())
    engine = {n for n in names if n.startswith(("engine/", "svgkit/"))}
    assert names - engine == {"README.txt", "data.csv", "inputs.json", "results.json", "reproduce.R", "reproduce.py",
                              "forest.svg", "funnel.svg"}
    # reproduce.py stands alone: the engine's modules come with it
    assert {"engine/__init__.py", "engine/rma.py", "engine/sensitivity.py", "svgkit/__init__.py"} <= engine
    script = z.read("reproduce.R").decode()
    assert "threshold = 1e-12, maxiter = 10000, tol = 1e-12" in script and 'method = "REML"' in script
    # the README names every R package the script loads, and what the Python script needs
    readme = " ".join(z.read("README.txt").decode().split())
    loaded = set(re.findall(r"library\((\w+)\)", script))
    assert loaded == {"metafor", "jsonlite"}
    assert 'install.packages(c("metafor", "jsonlite"))' in readme
    assert "numpy and scipy only" in readme
    assert len(z.read("data.csv").decode().strip().splitlines()) == done_run.results["summary"]["k"] + 1
    assert json.loads(z.read("results.json")) == done_run.results


def test_stale_runs_say_what_changed(client_for, review, people, done_run):
    services.analysis_update(actor=people["lead"], analysis=done_run.analysis, method="DL")
    page = client_for(people["lead"]).get(reverse("analysis_detail", args=[review.pk, done_run.analysis_id]))
    assert "The last run is stale" in page.content.decode() and "settings changed: method" in page.content.decode()


def test_dashboard_shows_the_analysis_stage(client_for, review, people, done_run):
    page = client_for(people["lead"]).get(reverse("review_dashboard", args=[review.pk])).content.decode()
    assert "Analysis" in page and reverse("analysis_list", args=[review.pk]) in page


def test_an_outcome_used_by_an_analysis_cannot_be_deleted(client_for, review, people, outcomes, template):
    outcome = outcomes["Parental depression"]
    services.analysis_create(actor=people["lead"], review=review, outcome=outcome)
    client = client_for(people["lead"])
    response = client.post(reverse("outcome_edit", args=[review.pk, outcome.pk]), {"delete": "1"}, follow=True)
    assert "is used by analysis “Parental depression”" in response.content.decode()
    assert review.outcomes.filter(pk=outcome.pk).exists()


def test_the_edit_form_shows_the_settings_and_saves_a_change(client_for, review, people, done_run):
    client = client_for(people["lead"])
    url = reverse("analysis_edit", args=[review.pk, done_run.analysis_id])
    page = client.get(url).content.decode()
    assert page.count("checked") == 2  # the two controlled designs, as stored
    form = {"outcome": done_run.analysis.outcome_id, "name": "Interaction, Knapp-Hartung", "timepoint": "first",
            "measure": "SMD", "method": "REML", "test": "knha", "level": "95", "subgroup_field": "format",
            "cluster_field": "", "designs": ["Randomised controlled trial", "Non-randomised controlled study"]}
    assert client.post(url, form).status_code == 302
    analysis = Analysis.objects.get(pk=done_run.analysis_id)
    assert (analysis.name, analysis.test, analysis.subgroup_field) == ("Interaction, Knapp-Hartung", "knha", "format")


def test_an_analysis_at_90_percent_names_that_level_at_every_interval(client_for, review, people, outcomes,
                                                                      studies, django_capture_on_commit_callbacks):
    analysis = services.analysis_create(actor=people["lead"], review=review, level=90,
                                        outcome=outcomes["Parent-infant interaction"], subgroup_field="format",
                                        moderators=["child_age_months"])
    with django_capture_on_commit_callbacks(execute=True):
        run = services.analysis_run_request(actor=people["lead"], analysis=analysis)
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert run.results["prepost"]["level"] == 90  # the pre-post share's Wilson interval too
    client = client_for(people["viewer"])
    page = client.get(reverse("analysis_detail", args=[review.pk, analysis.pk])).content.decode()
    results = page[page.index('<section class="results"'):page.index("</section>")]
    assert "95%" not in results and "95 %" not in results
    for label in ("Pooled SMD [90% CI]", "90% prediction interval", "τ² [90% Q-profile CI]", "Meta-regression",
                  "Uncontrolled pre-post studies"):
        assert label in results, label
    # every interval in the text and the tables names its level right before it
    assert results.count(" CI") == results.count("90% CI") + results.count("90% Q-profile CI")
    assert "[CI]" not in results and "<th>CI</th>" not in results
    listing = client.get(reverse("analysis_list", args=[review.pk])).content.decode()
    assert "[90% CI " in listing and "; 90% CI " in listing and "95% CI" not in listing
    svg = client.get(reverse("analysis_run_plot", args=[review.pk, run.pk, "forest", "svg"])).content.decode()
    assert "[90% CI]" in svg and "95%" not in svg
    said = run.results["plain_language"]
    assert "(90% CI " in said and "[90% CI " in said and "90% prediction interval" in said and "95%" not in said
