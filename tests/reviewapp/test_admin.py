"""The admin shows review data but cannot change it behind the services' back; accounts can be
managed there, but a review's last lead cannot be deleted by any route."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, Membership, Outcome, Review
from screening.models import DuplicatePair, Record, Search, SearchFile
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db

DOMAIN_MODELS = [Review, AuditEvent, Search, SearchFile, Record, DuplicatePair]


@pytest.fixture
def admin_client_(client, make_user):
    client.force_login(make_user("site-admin", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def pair(review, people):
    lead = people["lead"]
    import_bytes(make_search(review, lead, "Scopus"), lead, ris(record(1), record(2)), "s.ris")
    import_bytes(make_search(review, lead, "EMBASE"), lead, ris(record(1, doi="10.1000/other")), "e.ris")
    return DuplicatePair.objects.get(review=review)


def _admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", DOMAIN_MODELS, ids=lambda m: m.__name__)
def test_domain_models_can_be_looked_at_but_not_added_or_deleted(admin_client_, pair, model):
    assert admin_client_.get(_admin_url(model, "changelist")).status_code == 200
    assert admin_client_.get(_admin_url(model, "add")).status_code == 403
    obj = model.objects.first()
    assert admin_client_.get(_admin_url(model, "change", obj.pk)).status_code == 200
    assert admin_client_.post(_admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_members_and_outcomes_cannot_be_changed_through_the_review(admin_client_, review, people):
    from reviewapp import services

    services.outcome_create(actor=people["lead"], review=review, name="Sleep")
    response = admin_client_.post(_admin_url(Review, "change", review.pk), {
        "title": review.title, "status": "protocol",
        "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": Membership.objects.get(review=review, role="lead").pk, "memberships-0-DELETE": "on",
        "outcomes-TOTAL_FORMS": "1", "outcomes-INITIAL_FORMS": "1",
        "outcomes-0-id": Outcome.objects.get(review=review).pk, "outcomes-0-DELETE": "on"})
    assert response.status_code == 403
    assert Membership.objects.filter(review=review, role="lead").exists() and review.outcomes.count() == 1


def test_a_record_cannot_be_merged_from_the_admin(admin_client_, pair):
    b = Record.objects.get(pk=pair.record_b_id)
    response = admin_client_.post(_admin_url(Record, "change", b.pk), {"duplicate_of": pair.record_a_id})
    assert response.status_code == 403
    b.refresh_from_db()
    assert b.duplicate_of_id is None


def test_the_last_lead_of_a_review_cannot_be_deleted_in_the_admin(admin_client_, review, people):
    lead = people["lead"]
    response = admin_client_.post(_admin_url(get_user_model(), "delete", lead.pk), {"post": "yes"}, follow=True)
    assert get_user_model().objects.filter(pk=lead.pk).exists()
    assert "they are the only lead of “Parent-infant psychotherapy”" in response.content.decode()


def test_nor_with_the_bulk_delete_action(admin_client_, review, people):
    lead, viewer = people["lead"], people["viewer"]
    response = admin_client_.post(_admin_url(get_user_model(), "changelist"), {
        "action": "delete_selected", "_selected_action": [lead.pk, viewer.pk], "post": "yes"}, follow=True)
    assert "only lead of" in response.content.decode()
    assert get_user_model().objects.filter(pk__in=[lead.pk, viewer.pk]).count() == 2


def test_nor_in_code(review, people):
    from django.db import transaction

    with pytest.raises(ApplicationError, match="only lead"), transaction.atomic():
        people["lead"].delete()
    assert Membership.objects.filter(review=review, user=people["lead"], role="lead").exists()


def test_other_accounts_and_a_lead_with_a_co_lead_can_be_deleted(admin_client_, review, people):
    from reviewapp import services

    viewer = people["viewer"]
    admin_client_.post(_admin_url(get_user_model(), "delete", viewer.pk), {"post": "yes"})
    assert not get_user_model().objects.filter(pk=viewer.pk).exists()
    services.member_roles_set(actor=people["lead"], review=review, user=people["reviewer"], roles=["lead"])
    admin_client_.post(_admin_url(get_user_model(), "delete", people["lead"].pk), {"post": "yes"})
    assert not get_user_model().objects.filter(pk=people["lead"].pk).exists()
