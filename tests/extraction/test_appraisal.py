"""Risk-of-bias appraisal: tools as versioned data, two appraisers blind to each other whose
proposals follow from their answers, overrides with reasons, settlement and consensus, custom tools,
the pages, figures and exports, the dashboard, and what analyses read."""
from __future__ import annotations

import csv
import io
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from analysis import grade
from analysis.models import RCT
from analysis.sof import selectors as sof_selectors
from extraction import selectors as extraction_selectors
from extraction import services as extraction_services
from extraction.appraisal import demo as appraisal_demo
from extraction.appraisal import figures, services, tools
from extraction.appraisal import selectors as appraisal_selectors
from extraction.appraisal.algorithms import propose_domain
from extraction.demo import demo_extraction_load
from extraction.models import AppraisalTool, Extraction
from reviewapp import services as review_services
from reviewapp.demo import DEMO_OUTCOMES
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent
from screening.models import Study
from tests.support import require

pytestmark = pytest.mark.django_db

# RoB 2 answers giving low in every domain.
ROB2 = {"q1_1": "Y", "q1_2": "Y", "q1_3": "N", "q2_1": "Y", "q2_2": "Y", "q2_3": "PN", "q2_6": "Y",
        "q3_1": "Y", "q4_1": "N", "q4_2": "N", "q4_3": "N", "q5_1": "Y", "q5_2": "N", "q5_3": "N"}
D4_SOME = {"q4_3": "Y", "q4_4": "PY", "q4_5": "PN"}
TARGET = "Parental depression|assignment"


def post(answers: dict) -> dict[str, list[str]]:
    """The appraisal page's inputs for these answers, as a browser posts them."""
    return {f"f-{k}": [v] for k, v in answers.items()}


@pytest.fixture
def rob2(review, people, outcomes):
    services.builtin_tools_load()  # as loaded by the migration (a no-op unless a transactional test emptied it)
    tool = AppraisalTool.objects.get(slug="rob2-parallel")
    return services.tool_form_add(actor=people["lead"], review=review, tool=tool)


@pytest.fixture
def robins(review, people):
    services.builtin_tools_load()
    return services.tool_form_add(actor=people["lead"], review=review, tool=AppraisalTool.objects.get(slug="robins-i"))


def appraise(template, study, user, answers, target=TARGET, done=True):
    return services.appraisal_save(actor=user, template=template, study=study, target=target, answers=answers,
                                   done=done)


def test_the_migration_loads_every_builtin_tool_and_each_algorithm_reads_its_questions():
    loaded = {(t.slug, t.version) for t in AppraisalTool.objects.all()}
    assert {("rob2-parallel", "2019-08-22"), ("rob2-cluster", "2021-03-18"), ("rob2-crossover", "2021-03-18"),
            ("robins-i", "2016-10-12"), ("prepost-checklist", "1")} <= loaded
    for tool in AppraisalTool.objects.all():
        for domain in tool.definition["domains"]:
            algorithm = (domain.get("algorithm") or {}).get("id")
            if algorithm:  # every question answered: the algorithm finds each answer it needs by its id
                for answer in ("Y", "N", "NI"):
                    given = {q["id"]: answer for q in domain["questions"]}
                    assert propose_domain(algorithm, given) is not None, (tool.slug, domain["key"], answer)


def test_two_appraisers_differ_on_one_question_and_the_settled_answer_gives_the_consensus(
        rob2, studies, extractors, people, review):
    a, b = extractors
    assert appraise(rob2, studies[0], a, ROB2).saved
    entry_b = appraise(rob2, studies[0], b, {**ROB2, "q1_2": "NI", "q1_2_note": "Not reported."}).entry
    extraction = Extraction.objects.get(template=rob2, study=studies[0], target=TARGET)
    first = extraction.entries.get(user=a)
    # each entry keeps the proposals its answers give
    assert (first.answers["d1_proposed"], entry_b.answers["d1_proposed"]) == ("Low", "Some concerns")
    assert (first.answers["overall_proposed"], entry_b.answers["overall_proposed"]) == ("Low", "Some concerns")
    assert extraction.status == "awaiting_consensus"
    # only the signalling question is to settle: not the proposals, not the supporting text
    assert extraction_services.differences(extraction)[2] == ["q1_2"]
    with pytest.raises(ApplicationError):
        extraction_services.consensus_finalise(actor=people["lead"], extraction=extraction)
    extraction_services.settlement_record(actor=people["lead"], extraction=extraction, path="q1_2", choice="b")
    extraction = extraction_services.consensus_finalise(actor=people["lead"], extraction=extraction)
    assert extraction.consensus["d1_proposed"] == "Some concerns"
    assert extraction.consensus["q1_2_note"] == "Not reported."
    # for analyses: (study, outcome) -> the overall judgement
    rob = extraction_selectors.risk_of_bias_overall(review=review)
    assert rob == {(studies[0].pk, "Parental depression"): "some concerns"}
    verdicts = extraction_selectors.risk_of_bias_verdicts(review=review)
    assert not verdicts[(studies[0].pk, "Parental depression")].high


@pytest.mark.parametrize("scale, high", [
    (["Low", "Some concerns", "High"], ["High"]),
    (["Low", "Moderate", "Serious", "Critical"], ["Serious", "Critical"]),
    (["Good", "Poor"], ["Poor"]),
    (["A", "B", "C", "D", "E"], ["D", "E"]),
])
def test_high_risk_is_the_worse_half_of_the_scale_by_its_order_not_its_words(scale, high):
    assert tools.high_risk_levels({"scale": scale}) == high
    assert tools.high_risk_levels({"scale": scale, "high_risk_from": scale[1]}) == scale[1:]


def test_a_custom_tools_worst_level_counts_as_high_risk_for_the_analyses(review, people, studies, extractors):
    template = services.custom_tool_save(
        actor=people["lead"], review=review, name="Our checklist", level="study", answers=["Yes", "No"],
        scale=["Good", "Fair", "Poor"], domains_text="Sample\n- Representative?")
    for study, judgement in ((studies[0], "Poor"), (studies[1], "Fair")):
        for appraiser in extractors:
            appraise(template, study, appraiser, {"q1_1": "No", "d1_judgement": judgement}, target="")
        extraction_services.consensus_finalise(actor=people["lead"],
                                               extraction=Extraction.objects.get(template=template, study=study))
    verdicts = extraction_selectors.risk_of_bias_verdicts(review=review)
    assert {key: (v.judgement, v.high) for key, v in verdicts.items()} == {
        (studies[0].pk, ""): ("poor", True), (studies[1].pk, ""): ("fair", False)}


def test_a_custom_tools_scale_words_colour_the_figures_and_count_in_grade(review, people, studies, extractors):
    template = services.custom_tool_save(
        actor=people["lead"], review=review, name="Our scale", level="study", answers=["Yes", "No"],
        scale=["fine", "unsure", "bad"], domains_text="Sample\n- Representative?")
    for study, judgement in ((studies[0], "bad"), (studies[1], "fine"), (studies[2], "unsure")):
        for appraiser in extractors:
            appraise(template, study, appraiser, {"q1_1": "No", "d1_judgement": judgement}, target="")
        extraction_services.consensus_finalise(actor=people["lead"],
                                               extraction=Extraction.objects.get(template=template, study=study))
    verdicts = extraction_selectors.risk_of_bias_verdicts(review=review)
    assert [(v.judgement, v.high, v.low) for v in (verdicts[(s.pk, "")] for s in studies[:3])] == [
        ("bad", True, False), ("fine", False, True), ("unsure", False, False)]
    # GRADE: the study judged "bad" carries half the weight: a quarter or more at high risk is serious
    run = SimpleNamespace(
        results={"summary": {"measure": "SMD", "b": 0.3, "ci_lb": 0.1, "ci_ub": 0.5, "weights": [50, 30, 20]}},
        inputs={"studies": [{"study_id": s.pk, "label": s.label, "design": RCT, "vi": 0.05} for s in studies[:3]]},
        spec={})
    proposal = grade.risk_of_bias(sof_selectors.grade_input(run=run, outcome="", verdicts=verdicts, assessment=None),
                                  grade.START_HIGH)
    assert "50% of the weight from studies at high risk, 20% with some concerns" in proposal.reason
    assert proposal.change == -1
    # the figures: "bad" red, "fine" green, "unsure" yellow, from the scale's order
    rows, columns, scale, _ = appraisal_selectors.figure_data(template=template)
    svg = figures.traffic_light_svg(rows=rows, columns=columns, scale=scale, title="Ours")
    for study, colour in ((studies[0], "#BF0000"), (studies[1], "#02C100"), (studies[2], "#E2DF07")):
        assert re.search(f"{re.escape(study.label)}, Overall: [a-z]+</title><circle[^>]+fill=\"{colour}\"", svg)


def test_an_override_needs_a_reason_and_keeps_the_proposal(rob2, studies, extractors):
    a, _ = extractors
    result = appraise(rob2, studies[0], a, {**ROB2, **D4_SOME, "d4_judgement": "High"})
    assert not result.saved and "reason for overriding" in result.errors["__all__"]
    result = appraise(rob2, studies[0], a,
                      {**ROB2, **D4_SOME, "d4_judgement": "High", "d4_reason": "Parents rated it."})
    assert result.saved
    answers = result.entry.answers
    assert (answers["d4_proposed"], answers["d4_judgement"]) == ("Some concerns", "High")
    assert answers["overall_proposed"] == "High"  # the overall follows the overridden domain


def test_several_domains_with_some_concerns_ask_the_appraiser_to_confirm(rob2, studies, extractors):
    a, _ = extractors
    answers = {**ROB2, **D4_SOME, "q5_1": "NI"}  # D4 and D5 some concerns
    result = appraise(rob2, studies[0], a, answers)
    assert not result.saved and "confirm the proposal (Some concerns)" in result.errors["__all__"]
    assert appraise(rob2, studies[0], a, {**answers, "overall_judgement": "Some concerns"}).saved


def test_a_result_level_tool_needs_an_outcome_and_effect_and_a_study_level_one_refuses_them(
        rob2, robins, studies, extractors):
    a, _ = extractors
    for target in ("Unknown outcome|assignment", "Parental depression|", "Parental depression|other"):
        with pytest.raises(ApplicationError):
            appraise(rob2, studies[0], a, ROB2, target=target)
    with pytest.raises(ApplicationError):
        appraise(robins, studies[0], a, {}, target=TARGET)
    assert not Extraction.objects.filter(template=rob2).exists()


def test_the_adhering_effect_uses_its_own_domain_2(rob2, studies, extractors):
    a, _ = extractors
    answers = {k: v for k, v in ROB2.items() if not k.startswith("q2_")}
    answers.update(q2p_1="N", q2p_2="N", q2p_4="N", q2p_5="PN")
    result = appraise(rob2, studies[0], a, answers, target="Parental depression|adhering", done=False)
    assert result.entry.answers["d2p_proposed"] == "Low" and "d2_proposed" not in result.entry.answers


def test_robins_i_domains_are_judged_by_the_appraiser_and_the_overall_is_the_worst(robins, studies, extractors):
    a, _ = extractors
    judged = {f"d{i}_judgement": "Low" for i in range(1, 8)} | {"d3_judgement": "Serious"}
    result = appraise(robins, studies[0], a, judged, target="")
    assert result.saved and result.entry.answers["overall_proposed"] == "Serious"


def test_custom_tool_from_text_with_line_numbers_in_errors_and_versions_kept(review, people, studies, extractors):
    with pytest.raises(ApplicationError, match="Line 1"):
        services.custom_tool_save(actor=people["lead"], review=review, name="Mine", level="study",
                                  answers=[], scale=[], domains_text="- a question first")
    template = services.custom_tool_save(
        actor=people["lead"], review=review, name="Pre-post checklist", level="study", answers=["Yes", "No"],
        scale=["Good", "Fair", "Poor"],
        domains_text="Sample\n- Representative?\n- Enrolled all? (NA)\nAnalysis\n- Tests?")
    tool = tools.tool_of(template.current_version.definition)
    assert [len(d["questions"]) for d in tool["domains"]] == [2, 1] and tool["domains"][0]["questions"][1]["na"]
    a, _ = extractors
    result = appraise(template, studies[0], a, {"q1_1": "Yes", "d1_judgement": "Fair", "d2_judgement": "Good"},
                      target="")
    assert result.saved and result.entry.answers["overall_proposed"] == "Fair"
    services.custom_tool_save(actor=people["lead"], review=review, template=template, name="Pre-post checklist",
                              level="study", answers=["Yes", "No", "Unclear"], scale=["Good", "Fair", "Poor"],
                              domains_text=services.domains_as_text(tool) + "\n- Another?")
    template.refresh_from_db()
    assert template.current_version.number == 2
    assert Extraction.objects.get(template=template).version.number == 1  # the appraisal keeps its version


def url(name, review, *args):
    return reverse(name, args=[review.pk, *args])


def test_pages_blindness_rights_figures_and_csv(client_for, review, people, rob2, studies, extractors):
    a, b = extractors
    client = client_for(people["outsider"])
    assert client.get(url("appraisal_home", review)).status_code == 404
    client = client_for(people["viewer"])
    assert client.get(url("appraisal_home", review)).status_code == 200
    entry_url = url("appraisal_entry", review, rob2.pk, studies[0].pk) + "?target=" + TARGET
    assert client.get(entry_url).status_code == 403
    compare_url = url("appraisal_compare", review, rob2.pk, studies[0].pk) + "?target=" + TARGET

    client = client_for(a)
    response = client.post(entry_url, {**post(ROB2), "f-q1_2_note": ["Central randomisation."], "action": "done"})
    assert response.status_code == 302
    client = client_for(b)
    page = client.get(entry_url).content.decode()
    assert "Central randomisation." not in page  # blind to the other appraiser
    assert "Blind until both entries are done" in client.get(compare_url).content.decode()
    client.post(entry_url, {**post({**ROB2, "q1_2": "NI"}), "action": "done"})
    assert client.post(compare_url, {"action": "settle", "path": "q1_2", "choice": "a"}).status_code == 403

    client = client_for(people["lead"])
    page = client.get(compare_url).content.decode()
    assert page.count('class="differs"') == 1 and "Central randomisation." in page
    client.post(compare_url, {"action": "settle", "path": "q1_2", "choice": "a"})
    client.post(compare_url, {"action": "finalise"})
    assert Extraction.objects.get(template=rob2).status == "done"

    svg = client.get(url("appraisal_figure", review, rob2.pk, "traffic-light", "svg")).content.decode()
    assert svg.startswith("<svg") and "Author1 2001 · Parental depression, Overall: Low" in svg
    assert "(effect of assignment)" in svg
    summary = client.get(url("appraisal_figure", review, rob2.pk, "summary", "svg")).content.decode()
    assert "Bias in measurement of the outcome: Low 100%" in summary
    weighted = client.get(url("appraisal_figure", review, rob2.pk, "summary", "svg") + "?weighted=1").content.decode()
    assert "Weighted by sample size (0 of 1 with one)" in weighted  # no extraction gives this study's size
    png = client.get(url("appraisal_figure", review, rob2.pk, "summary", "png"))
    require(png.status_code != 503, "the cairo library is not installed (apt-get install libcairo2)")
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    rows = list(csv.DictReader(io.StringIO(client.get(url("appraisal_export", review)).content.decode())))
    q12 = next(r for r in rows if r["item"] == "1.2")
    assert (q12["answer"], q12["support"], q12["outcome"]) == ("Y", "Central randomisation.", "Parental depression")
    overall = next(r for r in rows if r["domain"] == "Overall")
    assert (overall["proposed_judgement"], overall["judgement"]) == ("Low", "Low")


def test_dashboard_shows_the_risk_of_bias_stage_and_what_to_settle(client_for, review, people, rob2, studies,
                                                                    extractors):
    for user in extractors:
        appraise(rob2, studies[0], user, {**ROB2, "q1_2": "NI" if user == extractors[1] else "Y"})
    page = client_for(people["lead"]).get(reverse("review_dashboard", args=[review.pk])).content.decode()
    assert "Risk of bias" in page and "Settle 1 appraisal" in page


@pytest.fixture
def demo_like(review, people):
    for name, direction, note in DEMO_OUTCOMES:
        review_services.outcome_create(actor=people["lead"], review=review, name=name, direction=direction, note=note)
    for n in range(11):
        Study.objects.create(review=review, label=f"Synthetic {n:02d}")
    demo_extraction_load(review=review, lead=people["lead"])
    return review


def test_demo_appraises_each_study_with_the_tool_its_design_calls_for(demo_like, people):
    appraisal_demo.demo_appraisal_load(review=demo_like, lead=people["lead"])
    appraisals = Extraction.objects.filter(review=demo_like, template__kind="appraisal")
    assert {e.status for e in appraisals} == {"done"}
    designs = {e.study_id: e.consensus["design"] for e in Extraction.objects.filter(template__kind="extraction")}
    for appraisal in appraisals:
        slug = appraisal.template.tool.slug
        assert slug == appraisal_demo.TOOL_BY_DESIGN[designs[appraisal.study_id]]
        assert bool(appraisal.target) == (slug == "rob2-parallel")
        assert appraisal_demo.NOTE in appraisal.consensus["q1_1_note"]
    assert {designs[e.study_id] for e in appraisals} == set(appraisal_demo.TOOL_BY_DESIGN)
    events = AuditEvent.objects.count()
    appraisal_demo.demo_appraisal_load(review=demo_like, lead=people["lead"])
    assert AuditEvent.objects.count() == events


def test_autosave_answers_with_the_proposals_of_the_typed_answers(client_for, review, rob2, studies, extractors):
    client = client_for(extractors[0])
    autosave = url("appraisal_autosave", review, rob2.pk, studies[0].pk) + "?target=" + TARGET
    reply = client.post(autosave, post({"q1_1": "Y", "q1_2": "N"})).json()
    assert reply["saved"] and reply["proposals"]["d1"]["judgement"] == "High"
    assert reply["proposals"]["d1"]["class"] == "rob-high"  # RoB 2's worst level, drawn red
    assert reply["proposals"]["d3"]["judgement"] == ""  # not answered yet: no proposal
    assert Extraction.objects.get(template=rob2).entries.get().answers == {}  # nothing saved


def test_a_named_third_person_settles_and_others_may_not(client_for, review, people, rob2, studies, extractors,
                                                         make_user):
    third = make_user("third")
    review_services.member_roles_set(actor=people["lead"], review=review, user=third, roles=["extractor"])
    lead = client_for(people["lead"])
    lead.post(url("appraisal_home", review), {"action": "settler", "template": rob2.pk, "settler": third.pk})
    rob2.refresh_from_db()
    assert rob2.settler == third
    for user in extractors:
        appraise(rob2, studies[0], user, {**ROB2, "q1_2": "NI" if user == extractors[1] else "Y"})
    compare_url = url("appraisal_compare", review, rob2.pk, studies[0].pk) + "?target=" + TARGET
    response = client_for(third).post(compare_url, {"action": "settle", "path": "q1_2", "choice": "b"})
    assert response.status_code == 302
    assert Extraction.objects.get(template=rob2).settlements.get().value == "NI"
    assert client_for(people["viewer"]).get(compare_url).status_code == 403


def test_the_lead_writes_a_custom_tool_in_the_browser_and_appraisal_tools_stay_out_of_the_form_builder(
        client_for, review, people, rob2):
    client = client_for(people["lead"])
    response = client.post(url("appraisal_custom_tool_new", review), {
        "name": "Our checklist", "level": "study", "answers": "Yes\nNo", "scale": "Low\nHigh",
        "domains_text": "Sample\n- Representative?\nOutcomes\n- Valid measures?"})
    assert response.status_code == 302
    refused = client.post(url("appraisal_custom_tool_new", review), {
        "name": "Broken", "level": "study", "answers": "Yes\nNo", "scale": "Low\nHigh", "domains_text": "Sample"})
    assert "has no questions" in refused.content.decode()
    home = client.get(url("appraisal_home", review)).content.decode()
    assert "Our checklist" in home and "RoB 2: randomised parallel-group trials" in home
    assert "Our checklist" not in client.get(url("form_list", review)).content.decode()
    assert client.get(url("form_builder", review, rob2.pk)).status_code == 404
