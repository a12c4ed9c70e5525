"""Analysis pages name extraction fields by their labels, never by their stored keys (issue 33)."""
from __future__ import annotations

import html

import pytest
from django.urls import reverse

from analysis import services
from analysis.selectors import coefficient_label

pytestmark = pytest.mark.django_db


def test_coefficients_are_named_by_label_and_level():
    labels = {"n_caregivers": "Number of caregivers", "format": "Format", "format_detail": "Format detail"}
    assert coefficient_label("intrcpt", labels) == "Intercept"
    assert coefficient_label("n_caregivers", labels) == "Number of caregivers"
    assert coefficient_label("formatIndividual", labels) == "Format: Individual"
    assert coefficient_label("format_detailHome", labels) == "Format detail: Home"
    assert coefficient_label("unknown", labels) == "unknown"


def test_the_meta_regression_table_shows_field_labels(client_for, review, people, outcomes, studies,
                                                      django_capture_on_commit_callbacks):
    analysis = services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Parental depression"],
                                        subgroup_field="format", moderators=["n_caregivers", "format"])
    with django_capture_on_commit_callbacks(execute=True):
        services.analysis_run_request(actor=people["lead"], analysis=analysis)
    page = html.unescape(client_for(people["viewer"]).get(
        reverse("analysis_detail", args=[review.pk, analysis.pk])).content.decode())
    assert "Meta-regression" in page
    assert '<td data-label="Coefficient">Number of caregivers</td>' in page
    assert '<td data-label="Coefficient">Intercept</td>' in page
    assert "moderators: Number of caregivers, Format" in page
    assert "n_caregivers" not in page and "intrcpt" not in page


def test_the_audit_trail_names_an_analysis_fields_by_label(client_for, review, people, outcomes, template):
    services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Parental depression"],
                             subgroup_field="format", moderators=["n_caregivers", "format"])
    page = html.unescape(client_for(people["lead"]).get(reverse("audit_log", args=[review.pk])).content.decode())
    row = page.split("Analysis “Parental depression” added", 1)[1].split("</tr>", 1)[0]
    assert "Moderators</span>: Number of caregivers; Format" in row
    assert "Subgroups by</span>: Format" in row
    assert "n_caregivers" not in row


def test_the_forest_plot_by_subgroup_names_each_panel_by_the_field_label(client_for, review, people, outcomes,
                                                                          studies,
                                                                          django_capture_on_commit_callbacks):
    analysis = services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Parental depression"],
                                        subgroup_field="n_caregivers")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.analysis_run_request(actor=people["lead"], analysis=analysis)
    run.refresh_from_db()
    assert run.status == "done", run.error
    svg = client_for(people["viewer"]).get(
        reverse("analysis_run_plot", args=[review.pk, run.pk, "forest", "svg"])).content.decode()
    assert "Number of caregivers: " in svg
    assert "N caregivers" not in svg and "n_caregivers" not in svg
