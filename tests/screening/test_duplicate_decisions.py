"""A lead's duplicate decisions: merge, keep apart, un-merge; each reversible and audited."""
from __future__ import annotations

import pytest
from django.urls import reverse

from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent
from screening import services
from screening.models import DuplicatePair, Record
from screening.selectors import record_sources

from .helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_searches(review, people):
    lead = people["lead"]
    scopus, embase = make_search(review, lead, "Scopus"), make_search(review, lead, "EMBASE")
    import_bytes(scopus, lead, ris(record(1), record(2)), "scopus.ris")
    # record 1 again (sure), and record 2 with another DOI (possible: the lead decides).
    import_bytes(embase, lead, ris(record(1), record(2, doi="10.1000/another")),
                 "embase.ris")
    return scopus, embase


def test_sure_duplicates_are_merged_and_possible_ones_wait(review, two_searches):
    scopus, embase = two_searches
    assert DuplicatePair.objects.get(sure=True).status == DuplicatePair.Status.MERGED
    possible = DuplicatePair.objects.get(status=DuplicatePair.Status.POSSIBLE)
    assert {possible.record_a.search, possible.record_b.search} == {scopus, embase}


def test_merging_from_the_queue_keeps_both_sources_and_unmerging_restores(client_for, review, people, two_searches):
    client = client_for(people["lead"])
    pair = DuplicatePair.objects.get(status=DuplicatePair.Status.POSSIBLE)
    client.post(reverse("duplicate_pair", args=[review.pk, pair.pk]), {"action": "merge"})
    pair.refresh_from_db()
    assert pair.status == DuplicatePair.Status.MERGED and pair.decided_by == people["lead"]
    assert Record.objects.get(pk=pair.record_b_id).duplicate_of_id == pair.record_a_id
    assert [s.database for s in record_sources(record=pair.record_a)] == ["Scopus", "EMBASE"]
    assert Record.objects.filter(review=review, duplicate_of__isnull=True).count() == 2

    client.post(reverse("duplicate_pair", args=[review.pk, pair.pk]), {"action": "unmerge"})
    pair.refresh_from_db()
    assert pair.status == DuplicatePair.Status.KEPT_APART
    assert Record.objects.get(pk=pair.record_b_id).duplicate_of_id is None
    assert Record.objects.filter(review=review, duplicate_of__isnull=True).count() == 3


def test_an_automatic_merge_can_be_undone(review, people, two_searches):
    pair = DuplicatePair.objects.get(sure=True, status=DuplicatePair.Status.MERGED)
    services.duplicate_unmerge(actor=people["lead"], pair=pair)
    assert Record.objects.get(pk=pair.record_b_id).duplicate_of_id is None
    with pytest.raises(ApplicationError):
        services.duplicate_unmerge(actor=people["lead"], pair=pair)


def test_kept_apart_pairs_leave_the_queue_and_are_not_asked_again(review, people, two_searches):
    pair = DuplicatePair.objects.get(status=DuplicatePair.Status.POSSIBLE)
    services.duplicate_keep_apart(actor=people["lead"], pair=pair)
    assert not DuplicatePair.objects.filter(status=DuplicatePair.Status.POSSIBLE).exists()
    # A later search finding the same two records again does not re-open the question.
    third = make_search(review, people["lead"], "PsycINFO")
    import_bytes(third, people["lead"], ris(record(77)), "psycinfo.ris")
    assert not DuplicatePair.objects.filter(status=DuplicatePair.Status.POSSIBLE).exists()


def test_merging_a_group_into_another_moves_its_members_and_unmerge_moves_them_back(review, people):
    lead = people["lead"]
    a, b, c = (make_search(review, lead, name) for name in ("Scopus", "EMBASE", "CINAHL"))
    import_bytes(a, lead, ris(record(1)), "a.ris")
    # Different DOI: not the same as a's record for sure, but b and c agree with each other.
    import_bytes(b, lead, ris(record(1, doi="10.9/other", title="Parent infant psychotherapy trial one")), "b.ris")
    import_bytes(c, lead, ris(record(1, doi="10.9/other", title="Parent infant psychotherapy trial one")), "c.ris")
    b_rec, c_rec = Record.objects.get(search=b), Record.objects.get(search=c)
    assert c_rec.duplicate_of_id == b_rec.pk
    pair = DuplicatePair.objects.filter(status=DuplicatePair.Status.POSSIBLE).first()
    if pair is None:  # the matcher found nothing to ask: make the link by hand as a lead would
        pair = DuplicatePair.objects.create(review=review, record_a=Record.objects.get(search=a), record_b=b_rec,
                                            score=0.9)
    services.duplicate_merge(actor=lead, pair=pair)
    primary = Record.objects.get(search=a)
    assert set(Record.objects.filter(duplicate_of=primary).values_list("pk", flat=True)) == {b_rec.pk, c_rec.pk}
    services.duplicate_unmerge(actor=lead, pair=pair)
    c_rec.refresh_from_db()
    b_rec.refresh_from_db()
    assert b_rec.duplicate_of_id is None and c_rec.duplicate_of_id == b_rec.pk


def test_each_decision_is_in_the_audit_trail(review, people, two_searches):
    pair = DuplicatePair.objects.get(status=DuplicatePair.Status.POSSIBLE)
    services.duplicate_merge(actor=people["lead"], pair=pair)
    services.duplicate_unmerge(actor=people["lead"], pair=pair)
    events = AuditEvent.objects.filter(review=review, object_type="screening.DuplicatePair", object_id=str(pair.pk))
    assert sorted(e.object_label.split(" of ")[0] for e in events) == ["merge", "un-merge"]
    merge = events.get(object_label__startswith="merge")
    assert merge.before["status"] == "possible" and merge.after["status"] == "merged"
    assert merge.actor == people["lead"]


def test_the_comparison_page_highlights_fields(client_for, review, people, two_searches):
    pair = DuplicatePair.objects.get(status=DuplicatePair.Status.POSSIBLE)
    page = client_for(people["lead"]).get(reverse("duplicate_pair", args=[review.pk, pair.pk])).content.decode()
    assert "verdict-same" in page and "verdict-different" in page
    assert "Merge: same report" in page and "Keep apart" in page


def test_the_database_refuses_a_pair_with_the_later_record_first(review, two_searches):
    from django.db import IntegrityError, transaction

    pair = DuplicatePair.objects.get(status=DuplicatePair.Status.POSSIBLE)
    with pytest.raises(IntegrityError), transaction.atomic():
        DuplicatePair.objects.create(review=review, record_a_id=pair.record_b_id, record_b_id=pair.record_a_id,
                                     score=0.5)


def test_deciding_a_pair_from_its_page_opens_the_next_possible_one(client_for, review, people):
    lead = people["lead"]
    scopus, embase = make_search(review, lead, "Scopus"), make_search(review, lead, "EMBASE")
    import_bytes(scopus, lead, ris(record(1), record(2)), "scopus.ris")
    import_bytes(embase, lead, ris(record(1, doi="10.1000/a"), record(2, doi="10.1000/b")), "embase.ris")
    first, second = DuplicatePair.objects.filter(status=DuplicatePair.Status.POSSIBLE).order_by("id")
    client = client_for(lead)
    response = client.post(reverse("duplicate_pair", args=[review.pk, first.pk]),
                           {"action": "keep_apart", "then": "next-pair"})
    assert response["Location"] == reverse("duplicate_pair", args=[review.pk, second.pk])
    response = client.post(reverse("duplicate_pair", args=[review.pk, second.pk]), {"action": "keep_apart"})
    assert response["Location"] == reverse("duplicate_queue", args=[review.pk])
