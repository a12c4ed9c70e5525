"""The extraction pages: who may see and do what, blindness, refused saves that keep what was typed,
autosave, the comparison and settlement, the study page's effects, the dashboard and the builder."""
from __future__ import annotations

import pytest
from django.urls import reverse

from extraction import services
from extraction.models import Entry, Extraction, FormTemplate
from reviewapp import services as review_services
from tests.extraction.conftest import BASE
from tests.extraction.test_versions_and_exports import OUTCOME_ROW

pytestmark = pytest.mark.django_db


def url(name, review, *args):
    return reverse(name, args=[review.pk, *args])


def post_entry(client, review, builtin, study, action="save", **values):
    return client.post(url("entry_form", review, builtin.pk, study.pk), {**BASE, **values, "action": action})


def test_outsiders_get_404_and_viewers_may_not_extract(client_for, review, people, builtin, studies):
    client = client_for(people["outsider"])
    assert client.get(url("extraction_home", review)).status_code == 404
    client = client_for(people["viewer"])
    assert client.get(url("extraction_home", review)).status_code == 200
    assert client.get(url("entry_form", review, builtin.pk, studies[0].pk)).status_code == 403
    assert client.get(url("form_section_new", review, builtin.pk)).status_code == 403
    assert client.get(url("extraction_study", review, studies[0].pk)).status_code == 200


def test_a_refused_save_comes_back_filled_with_the_reasons(client_for, review, builtin, studies, extractors):
    client = client_for(extractors[0])
    response = post_entry(client, review, builtin, studies[0], **{**OUTCOME_ROW, "r-outcome_data-0-i_sd": "-4",
                                                                  "f-programme": "Typed text"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not saved: please correct" in page and "SD must be greater than 0" in page
    assert 'value="Typed text"' in page and 'value="-4"' in page
    assert not Entry.objects.get(user=extractors[0]).answers


def test_a_saved_row_shows_its_harmonised_effect(client_for, review, builtin, studies, extractors):
    client = client_for(extractors[0])
    assert post_entry(client, review, builtin, studies[0], **OUTCOME_ROW).status_code == 302
    page = client.get(url("entry_form", review, builtin.pk, studies[0].pk)).content.decode()
    assert "Harmonised effect: <strong>SMD -0.655</strong>" in page


def test_autosave_keeps_typing_and_the_form_restores_it(client_for, review, builtin, studies, extractors):
    client = client_for(extractors[0])
    response = client.post(url("entry_autosave", review, builtin.pk, studies[0].pk), {"f-programme": "half-typ"})
    assert response.json()["saved"] is True
    page = client.get(url("entry_form", review, builtin.pk, studies[0].pk)).content.decode()
    assert 'value="half-typ"' in page and "Restored what you typed" in page


def test_neither_extractor_sees_the_other_until_the_consensus_is_final(client_for, review, builtin, studies,
                                                                        extractors, people):
    a, b = extractors
    post_entry(client_for(a), review, builtin, studies[0], action="done", **OUTCOME_ROW,
               **{"f-programme": "Alpha programme"})
    client = client_for(b)
    assert "Alpha programme" not in client.get(url("entry_form", review, builtin.pk, studies[0].pk)).content.decode()
    waiting = client.get(url("compare", review, builtin.pk, studies[0].pk)).content.decode()
    assert "Alpha programme" not in waiting and "Blind until both entries are done" in waiting
    lead_view = client_for(people["lead"]).get(url("compare", review, builtin.pk, studies[0].pk)).content.decode()
    assert "Alpha programme" not in lead_view
    post_entry(client_for(b), review, builtin, studies[0], action="done", **OUTCOME_ROW,
               **{"f-programme": "Beta programme"})
    pages = [url(name, review, *args) for name, args in (
        ("compare", (builtin.pk, studies[0].pk)), ("entry_form", (builtin.pk, studies[0].pk)),
        ("extraction_study", (studies[0].pk,)), ("extraction_home", ()), ("review_dashboard", ()))]
    for person, other in ((b, "Alpha programme"), (a, "Beta programme"), (people["extractor"], "Beta programme")):
        for page in pages:
            response = client_for(person).get(page)
            assert response.status_code == 200 and other not in response.content.decode(), (person, page)
    assert "Blind until the differences are settled" in client_for(b).get(pages[0]).content.decode()
    page = client_for(people["lead"]).get(pages[0]).content.decode()
    assert "Alpha programme" in page and "Beta programme" in page
    extraction = Extraction.objects.get(study=studies[0])
    services.settlement_record(actor=people["lead"], extraction=extraction, path="programme", choice="a")
    services.consensus_finalise(actor=people["lead"], extraction=extraction)
    page = client_for(b).get(pages[0]).content.decode()
    assert "Alpha programme" in page and "Beta programme" in page


def test_the_copy_attack_is_refused_on_the_entry_page(client_for, review, builtin, studies, extractors, people):
    """Both done and differing: neither extractor can reopen their entry to copy the other's value."""
    a, b = extractors
    extraction = _both_done(client_for, review, builtin, studies[0], extractors, **{"f-format": "Group"})
    entry_page = url("entry_form", review, builtin.pk, studies[0].pk)
    page = client_for(b).get(entry_page).content.decode()
    assert "Both entries are done and differ" in page and 'value="reopen"' not in page
    response = client_for(b).post(entry_page, {"action": "reopen"}, follow=True)
    assert "Both entries are done and differ" in " ".join(str(m) for m in response.context["messages"])
    post_entry(client_for(b), review, builtin, studies[0], action="done", **OUTCOME_ROW)
    assert {e.user: (e.done, e.answers["format"]) for e in extraction.entries.all()} == {
        a: (True, "Individual"), b: (True, "Group")}
    autosave = client_for(b).post(url("entry_autosave", review, builtin.pk, studies[0].pk), {"f-format": "Individual"})
    assert autosave.status_code == 409 and "differ" in autosave.json()["message"]


def _both_done(client_for, review, builtin, study, extractors, **b_values):
    post_entry(client_for(extractors[0]), review, builtin, study, action="done", **OUTCOME_ROW)
    post_entry(client_for(extractors[1]), review, builtin, study, action="done", **{**OUTCOME_ROW, **b_values})
    return Extraction.objects.get(study=study)


def test_the_studies_list_links_the_comparison_only_to_whom_it_is_open(client_for, review, builtin, studies,
                                                                       extractors, people):
    extraction = _both_done(client_for, review, builtin, studies[0], extractors, **{"f-format": "Group"})
    compare = url("compare", review, builtin.pk, studies[0].pk)
    home = url("extraction_home", review)
    assert compare not in client_for(extractors[0]).get(home).content.decode()
    lead_page = client_for(people["lead"]).get(home).content.decode()
    assert f'<a href="{compare}">settle</a>' in lead_page and "1 of 2" not in lead_page
    services.settlement_record(actor=people["lead"], extraction=extraction, path="format", choice="a")
    services.consensus_finalise(actor=people["lead"], extraction=extraction)
    assert f'<a href="{compare}">compare</a>' in client_for(extractors[0]).get(home).content.decode()


def test_only_a_lead_or_the_named_settler_settles(client_for, review, builtin, studies, extractors, people):
    extraction = _both_done(client_for, review, builtin, studies[0], extractors, **{"f-format": "Group"})
    compare = url("compare", review, builtin.pk, studies[0].pk)
    third = people["lead"].__class__.objects.create_user("third")
    review_services.member_roles_set(actor=people["lead"], review=review, user=third, roles=["extractor"])
    assert client_for(third).post(compare, {"action": "settle", "path": "format", "choice": "b"}).status_code == 403
    # A settler who filled one of the entries does not settle them: they see only why.
    services.template_settler_set(actor=people["lead"], template=builtin, settler=extractors[0])
    page = client_for(extractors[0]).get(compare).content.decode()
    assert "Blind until the differences are settled" in page
    assert client_for(extractors[0]).post(compare, {"action": "settle", "path": "format", "choice": "b"}
                                          ).status_code == 403
    assert not extraction.settlements.exists()
    services.template_settler_set(actor=people["lead"], template=builtin, settler=third)
    assert client_for(third).post(compare, {"action": "settle", "path": "format", "choice": "b"}).status_code == 302
    assert client_for(third).post(compare, {"action": "finalise"}).status_code == 302
    extraction.refresh_from_db()
    assert extraction.status == "done" and extraction.consensus["format"] == "Group"


def test_the_study_page_shows_the_harmonised_effect_once_the_consensus_is_final(
        client_for, review, builtin, studies, extractors, people):
    extraction = _both_done(client_for, review, builtin, studies[0], extractors)
    client = client_for(people["viewer"])
    assert "Shown once the two entries are settled" in client.get(url("extraction_study", review, studies[0].pk)
                                                                  ).content.decode()
    services.consensus_finalise(actor=people["lead"], extraction=extraction)
    page = client.get(url("extraction_study", review, studies[0].pk)).content.decode()
    assert "<strong>-0.655</strong>" in page and "below 0 favours the intervention" in page


def test_the_dashboard_lists_what_waits_for_each_person(client_for, review, builtin, studies, extractors, people):
    dashboard = url("review_dashboard", review)
    assert "Extract 3 studies" in client_for(extractors[0]).get(dashboard).content.decode()
    _both_done(client_for, review, builtin, studies[0], extractors, **{"f-format": "Group"})
    page = client_for(extractors[0]).get(dashboard).content.decode()
    assert "Extract 2 studies" in page and "Settle" not in page
    assert "Settle the consensus of 1 study" in client_for(people["lead"]).get(dashboard).content.decode()
    assert "Extract 2" not in client_for(people["viewer"]).get(dashboard).content.decode()


def test_the_lead_builds_and_publishes_a_form_in_the_browser(client_for, review, people, outcomes):
    client = client_for(people["lead"])
    response = client.post(url("form_list", review), {"name": "Our form"})
    template = FormTemplate.objects.get(name="Our form")
    assert response.status_code == 302
    client.post(url("form_section_new", review, template.pk), {"title": "Arms", "repeat": "Arm"})
    client.post(url("form_field_new", review, template.pk, "arms"),
                {"label": "Arm size", "type": "integer", "min": "1", "required": "on"})
    client.post(url("form_field_new", review, template.pk, "arms"),
                {"label": "Kind", "type": "single", "choices": "Intervention\nControl"})
    client.post(url("form_builder", review, template.pk), {"action": "outcome_data"})
    client.post(url("form_builder", review, template.pk), {"action": "publish", "note": "first"})
    version = template.versions.get()
    sections = version.definition["sections"]
    assert [s["key"] for s in sections] == ["arms", "outcome_data"]
    assert sections[0]["fields"][0] == {"key": "arm_size", "label": "Arm size", "type": "integer", "required": True,
                                        "help": "", "choices": [], "min": 1.0, "max": None, "unit": ""}
    assert sections[0]["fields"][1]["choices"] == ["Intervention", "Control"]
    page = client.get(url("form_builder", review, template.pk)).content.decode()
    assert "Published: version 1" in page


def test_the_built_in_form_is_one_click_and_for_leads_only(client_for, review, people, outcomes):
    assert client_for(people["extractor"]).post(url("form_list", review), {"action": "builtin"}).status_code == 403
    client_for(people["lead"]).post(url("form_list", review), {"action": "builtin"})
    template = FormTemplate.objects.get(review=review)
    keys = [f["key"] for s in template.current_version.definition["sections"] for f in s["fields"]]
    for key in ("design", "intervention_category", "programme", "started_in_pregnancy", "participants", "setting",
                "format", "country", "n_caregivers", "child_age_months", "presenting_difficulties", "instrument"):
        assert key in keys


def test_exports_download_as_csv_and_xlsx(client_for, review, builtin, studies, extractors, people):
    extraction = _both_done(client_for, review, builtin, studies[0], extractors)
    services.consensus_finalise(actor=people["lead"], extraction=extraction)
    client = client_for(people["viewer"])
    response = client.get(url("extraction_export", review, "long", "csv"))
    assert response["Content-Type"].startswith("text/csv") and b"EPDS" in response.content
    response = client.get(url("extraction_export", review, "wide", "xlsx"))
    assert response.content[:2] == b"PK"


def test_a_new_extractor_joins_through_roles(review, people, make_user, builtin, studies, client_for):
    third = make_user("third")
    review_services.member_roles_set(actor=people["lead"], review=review, user=third, roles=["extractor"])
    assert client_for(third).get(url("entry_form", review, builtin.pk, studies[0].pk)).status_code == 200
