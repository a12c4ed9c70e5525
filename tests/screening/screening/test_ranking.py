"""Priority screening in the app: the queue learns from decisions; stopping marks the rest by automation."""
from __future__ import annotations

import pytest
from django.urls import reverse

from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent
from screening import services
from screening.models import RankingRun, ScreeningItem, StoppingDecision
from screening.prisma import prisma_counts
from tests.screening.helpers import import_bytes, make_search, record, ris

Status = ScreeningItem.Status
RELEVANT = "Parent-infant psychotherapy for mothers with postnatal depression and their babies, trial {n}"
OFF_TOPIC = "Statin dosing in adult cardiology outpatients with hypertension, cohort {n}"


@pytest.fixture
def mixed_review(review, people):
    """12 records in import order: relevant and off-topic alternating; one reviewer decides each."""
    lead = people["lead"]
    rows = [record(n, title=(RELEVANT if n % 2 else OFF_TOPIC).format(n=n), doi=f"10.3000/x.{n}")
            for n in range(1, 13)]
    import_bytes(make_search(review, lead), lead, ris(*rows), "mixed.ris")
    services.screening_settings_update(actor=lead, review=review, reviewers_per_record=1)
    return review


def _decide_next(review, user, value):
    item = services.screening_next(reviewer=user, review=review, stage="ta")
    services.decision_record(actor=user, review=review, item_id=item.pk, value=value)
    return item


def test_the_queue_puts_likely_relevant_records_first_after_retraining(
        mixed_review, people, django_capture_on_commit_callbacks):
    review, reviewer, lead = mixed_review, people["reviewer"], people["lead"]
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_settings_update(actor=lead, review=review, prioritise=True)
    with django_capture_on_commit_callbacks(execute=True):
        first = _decide_next(review, reviewer, "include")  # the protocol's first pick: a relevant one
    second = ScreeningItem.objects.filter(review=review, record__title__startswith="Statin").first()
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_record(actor=reviewer, review=review, item_id=second.pk, value="exclude")
    assert "Parent-infant" in first.record.title
    run = RankingRun.objects.filter(review=review).first()
    assert run.status == "done" and run.trained and run.decisions_seen == 2
    # Without ranking the queue would alternate; now the five relevant records come first.
    titles = [_decide_next(review, reviewer, "include").record.title for _ in range(5)]
    assert all(t.startswith("Parent-infant") for t in titles), titles


def test_turning_priority_off_goes_back_to_import_order(mixed_review, people, django_capture_on_commit_callbacks):
    review, lead = mixed_review, people["lead"]
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_settings_update(actor=lead, review=review, prioritise=True)
    ScreeningItem.objects.filter(review=review).update(priority=3.0)
    services.screening_settings_update(actor=lead, review=review, prioritise=False)
    assert set(ScreeningItem.objects.filter(review=review).values_list("priority", flat=True)) == {0.0}


def test_stopping_by_the_test_is_refused_until_it_passes(mixed_review, people):
    review, reviewer, lead = mixed_review, people["reviewer"], people["lead"]
    _decide_next(review, reviewer, "include")
    with pytest.raises(ApplicationError, match="does not allow stopping yet"):
        services.screening_stop(actor=lead, review=review)
    assert not StoppingDecision.objects.exists()


def test_stopping_marks_the_untouched_records_and_prisma_counts_them(mixed_review, people):
    review, reviewer, lead = mixed_review, people["reviewer"], people["lead"]
    # Two inclusions first, then a long run of exclusions: the ranked test can pass at a low target.
    for value in ["include", "include"] + ["exclude"] * 7:
        _decide_next(review, reviewer, value)
    from screening.selectors import stopping_figures

    figures = stopping_figures(review=review, target=0.6, confidence=0.6)
    assert figures["stop"], figures
    decision = services.screening_stop(actor=lead, review=review, target=0.6, confidence=0.6)
    assert decision.marked_excluded == 3 and decision.included_found == 2
    assert ScreeningItem.objects.filter(review=review, status=Status.AUTOMATION_EXCLUDED).count() == 3
    assert prisma_counts(review=review).automation_ineligible == 3
    assert AuditEvent.objects.filter(object_type="screening.StoppingDecision").exists()


def test_the_page_estimates_what_is_left_from_the_recent_decisions(client_for, mixed_review, people):
    review, reviewer = mixed_review, people["reviewer"]
    services.screening_settings_update(actor=people["lead"], review=review, prioritise=True)
    _decide_next(review, reviewer, "include")
    _decide_next(review, reviewer, "exclude")
    page = client_for(people["lead"]).get(reverse("screening_home", args=[review.pk])).content.decode()
    # Half of the two decisions were inclusions, so about half of the 10 records left: not the
    # "about 0" that the test's best window (the last exclusion alone) would say.
    assert "about 5 at the rate of the last 2 decisions" in page
    assert "at most 10 with 95.0% confidence" in page  # two decisions rule nothing out


def test_the_decay_rule_is_refused_until_it_allows_and_then_stops_as_the_test_does(mixed_review, people):
    review, reviewer, lead = mixed_review, people["reviewer"], people["lead"]
    _decide_next(review, reviewer, "include")
    with pytest.raises(ApplicationError, match="decay rule does not allow stopping yet"):
        services.screening_stop(actor=lead, review=review, rule="decay")
    for value in ["include"] + ["exclude"] * 7:
        _decide_next(review, reviewer, value)
    # Twelve records are too few for the ranking to run dry: here it stops where the ranked test does.
    decision = services.screening_stop(actor=lead, review=review, rule="decay", target=0.6, confidence=0.6)
    assert decision.rule.startswith("decay rule") and decision.p_value is not None
    assert decision.details["decay_stop"] and decision.marked_excluded == 3


def test_the_heuristic_needs_its_run_of_exclusions(mixed_review, people):
    review, reviewer, lead = mixed_review, people["reviewer"], people["lead"]
    _decide_next(review, reviewer, "exclude")
    with pytest.raises(ApplicationError, match="exclusions in a row"):
        services.screening_stop(actor=lead, review=review, rule="consecutive")


def test_only_a_lead_switches_ranking_and_stops(client_for, mixed_review, people):
    review = mixed_review
    assert client_for(people["reviewer"]).post(reverse("priority_switch", args=[review.pk]),
                                               {"on": "1"}).status_code == 403
    assert client_for(people["reviewer"]).post(reverse("screening_stop", args=[review.pk]),
                                               {"target": 95, "confidence": 95}).status_code == 403
    client = client_for(people["lead"])
    client.post(reverse("priority_switch", args=[review.pk]), {"on": "1"})
    review.screening_settings.refresh_from_db()
    assert review.screening_settings.prioritise
    page = client.get(reverse("screening_home", args=[review.pk]))
    assert b"Hypergeometric test" in page.content
    assert b"Decay rule" in page.content and b"What it promises: no guarantee" in page.content
    response = client.post(reverse("screening_stop", args=[review.pk]), {"target": 95, "confidence": 95})
    assert response.status_code == 302 and not StoppingDecision.objects.exists()


def test_a_retraining_reuses_the_features_while_the_records_are_unchanged(mixed_review, people, monkeypatch,
                                                                          settings, tmp_path):
    from screening.services import ranking

    built = []

    class Counting(ranking.Prioritiser):
        @classmethod
        def build_saved(cls, blocks, path, key, **options):
            blocks = list(blocks)
            built.append(sum(len(block) for block in blocks))
            return super().build_saved(blocks, path, key, **options)

    settings.RANKING_FEATURES_DIR = tmp_path
    monkeypatch.setattr(ranking, "Prioritiser", Counting)
    ranking._FEATURES.clear()
    review = mixed_review

    def retrain() -> dict[int, float]:
        ranking.ranking_refresh(run_id=RankingRun.objects.create(review=review).pk)
        return dict(ScreeningItem.objects.filter(review=review).values_list("pk", "priority"))

    first = retrain()
    assert retrain() == first and built == [12]  # the second retraining used the features kept from the first
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"review-{review.pk}.npz",
                                                          f"review-{review.pk}.protocol.npz"]
    ranking._FEATURES.clear()  # as after the worker restarts: the features come from the file
    ranking._PRIORS.clear()  # and so do the protocol's scores: no text is read
    monkeypatch.setattr(ranking, "_text_blocks", lambda review_id: pytest.fail("read the texts"))
    assert retrain() == first and built == [12]
    # A record merged away keeps its row: the features stay, and it is no longer ranked.
    merged = ScreeningItem.objects.filter(review=review, status=Status.PENDING).order_by("id").first()
    ScreeningItem.objects.filter(pk=merged.pk).update(status=Status.WITHDRAWN, priority=-99)
    after_merge = retrain()
    assert built == [12] and after_merge[merged.pk] == -99
    assert {pk: p for pk, p in after_merge.items() if pk != merged.pk} == {pk: p for pk, p in first.items()
                                                                        if pk != merged.pk}
    ScreeningItem.objects.filter(pk=merged.pk).update(status=Status.PENDING)
    monkeypatch.undo()
    monkeypatch.setattr(ranking, "Prioritiser", Counting)
    item = ScreeningItem.objects.filter(review=review).first()
    services.record_correct(actor=people["reviewer"], record=item.record, field="title", text="A mended title")
    retrain()
    assert built == [12, 12]  # a changed text means new features
    ranking._FEATURES.clear()
    retrain()
    assert built == [12, 12]  # and the file now holds those


def test_features_that_cannot_be_kept_on_disk_cost_a_rebuild_not_the_ranking(mixed_review, settings, tmp_path):
    from screening.services import ranking

    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    settings.RANKING_FEATURES_DIR = blocker
    ranking._FEATURES.clear()
    run = ranking.ranking_refresh(run_id=RankingRun.objects.create(review=mixed_review).pk)
    assert run.status == RankingRun.Status.DONE


def test_a_record_without_words_waits_until_the_ranking_runs_dry(client_for, mixed_review, people, monkeypatch):
    from screening.models import Record
    from screening.prioritise import stopping
    from screening.services import ranking

    review, reviewer = mixed_review, people["reviewer"]
    blank = ScreeningItem.objects.filter(review=review).order_by("id").last()
    Record.objects.filter(pk=blank.record_id).update(title="", abstract="")
    monkeypatch.setattr(stopping, "heuristic_run_length", lambda n_records: 3)  # the app's is 50 at least

    def refresh_and_compare():
        ranking.ranking_refresh(run_id=RankingRun.objects.create(review=review).pk)
        others = list(ScreeningItem.objects.filter(review=review, status=Status.PENDING)
                      .exclude(pk=blank.pk).values_list("priority", flat=True))
        blank.refresh_from_db()
        return blank.priority, min(others), max(others)

    for value in ("include", "exclude"):
        _decide_next(review, reviewer, value)
    mine, low, _ = refresh_and_compare()
    assert mine < low  # nothing to rank it by: behind every ranked record
    for _ in range(2):
        _decide_next(review, reviewer, "exclude")  # three exclusions in a row: the ranking has run dry
    mine, _, high = refresh_and_compare()
    assert mine > high  # now a person should look at it before anyone stops
    client = client_for(people["lead"])
    client.post(reverse("priority_switch", args=[review.pk]), {"on": "1"})
    page = client.get(reverse("screening_home", args=[review.pk])).content.decode()
    assert "Without title or abstract" in page and "1 unscreened record the ranking cannot judge: it waits" in page
    # Stopping excludes what the ranking judged, and leaves this record for a person.
    decision = services.screening_stop(actor=people["lead"], review=review, rule="consecutive")
    blank.refresh_from_db()
    assert blank.status == Status.PENDING and decision.marked_excluded == 12 - 4 - 1


def test_the_app_retrains_at_the_pace_the_simulation_measures():
    # simulate_screening's figures (BENCHMARKS.md) stand for the app only if both retrain
    # after the same share of new decisions.
    from screening.prioritise import SimulationOptions
    from screening.services import ranking

    assert ranking.RETRAIN_SHARE == SimulationOptions().batch_fraction


def test_the_protocol_ranks_the_first_records_before_any_decision(
        mixed_review, people, django_capture_on_commit_callbacks):
    review, reviewer, lead = mixed_review, people["lead"], people["lead"]
    review.title, review.question = "Statins in hypertension", "Does statin dosing help adults with hypertension?"
    review.population = review.intervention = review.comparator = review.outcomes_summary = ""
    review.save()
    services.screening_settings_update(actor=lead, review=review, include_keywords="cardiology",
                                       criteria="Adult outpatients.")
    with django_capture_on_commit_callbacks(execute=True):
        services.screening_settings_update(actor=lead, review=review, prioritise=True)
    run = RankingRun.objects.filter(review=review).first()
    assert run.status == "done" and run.decisions_seen == 0
    # Import order starts with a Parent-infant record; the protocol puts the six statin ones first.
    titles = [_decide_next(review, reviewer, "exclude").record.title for _ in range(6)]
    assert all(t.startswith("Statin") for t in titles), titles


def test_a_large_review_gets_only_the_top_of_its_ranking_written_above_the_rest(mixed_review, monkeypatch):
    # Rewriting a million priorities took minutes (#30): beyond WRITE_ALL_UP_TO waiting records only
    # the top WRITE_TOP are written, lifted above every stored priority, so the queue serves them first.
    from screening.services import ranking

    review = mixed_review
    ranking.ranking_refresh(run_id=RankingRun.objects.create(review=review).pk)
    pending = ScreeningItem.objects.filter(review=review, status=Status.PENDING)
    full = list(pending.order_by("-priority", "id").values_list("pk", flat=True))
    for position, pk in enumerate(full):  # an old order, the new one upside down, far above the scores
        ScreeningItem.objects.filter(pk=pk).update(priority=100.0 + position)
    monkeypatch.setattr(ranking, "WRITE_ALL_UP_TO", 3)
    monkeypatch.setattr(ranking, "WRITE_TOP", 2)
    run = ranking.ranking_refresh(run_id=RankingRun.objects.create(review=review).pk)
    assert run.status == RankingRun.Status.DONE and run.ranked == len(full)
    served = list(pending.order_by("-priority", "id").values_list("pk", flat=True))
    assert served[:2] == full[:2]  # the new top, in the new order
    assert served[2:] == [pk for pk in reversed(full) if pk not in full[:2]]  # the rest keep their stored order
