"""The review pages as a team uses them: create, edit the protocol, add people, dashboard."""
from __future__ import annotations

import pytest
from django.urls import reverse

from reviewapp.models import Membership, Review

pytestmark = pytest.mark.django_db


def test_any_signed_in_user_creates_a_review_and_becomes_its_lead(client_for, make_user):
    author = make_user("author")
    response = client_for(author).post(reverse("review_create"), {
        "title": "Mentalisation programmes", "status": "protocol", "planned_databases": "MEDLINE\nPsycINFO"})
    review = Review.objects.get(title="Mentalisation programmes")
    assert response["Location"] == reverse("review_dashboard", args=[review.pk])
    assert Membership.objects.filter(review=review, user=author, role="lead").exists()
    assert review.planned_database_list == ["MEDLINE", "PsycINFO"]


def test_invalid_protocol_is_refused_with_a_message_and_nothing_changes(client_for, review, people):
    response = client_for(people["lead"]).post(reverse("review_edit", args=[review.pk]), {
        "title": "", "status": "protocol", "search_from": "2021-09-30", "search_to": "1990-01-01"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "This field is required" in text and "before its start" in text
    review.refresh_from_db()
    assert review.title == "Parent-infant psychotherapy"


def test_lead_invites_an_account_by_email_and_it_joins_when_it_accepts(client_for, review, people, make_user):
    newcomer = make_user("newcomer")
    client_for(people["lead"]).post(reverse("review_members", args=[review.pk]),
                                    {"identifier": "NEWCOMER@example.org", "roles": ["reviewer", "extractor"]})
    assert not Membership.objects.filter(review=review, user=newcomer).exists()
    invitation = newcomer.invitations_received.get()
    client_for(newcomer).post(reverse("invitation_accept_mine", args=[invitation.pk]))
    assert set(Membership.objects.filter(review=review, user=newcomer).values_list("role", flat=True)) == {
        "reviewer", "extractor"}


def test_duplicate_outcome_names_are_refused(client_for, review, people):
    client = client_for(people["lead"])
    url = reverse("review_outcomes", args=[review.pk])
    client.post(url, {"name": "Parenting stress", "direction": "lower"})
    response = client.post(url, {"name": "parenting stress", "direction": "lower"})
    assert "already has an outcome of that name" in response.content.decode()
    assert review.outcomes.count() == 1


def test_dashboard_shows_stages_and_what_is_left_to_do(client_for, review, people):
    lead_page = client_for(people["lead"]).get(reverse("review_dashboard", args=[review.pk])).content.decode()
    assert "Protocol" in lead_page and "Name the outcomes of the protocol" in lead_page
    viewer_page = client_for(people["viewer"]).get(reverse("review_dashboard", args=[review.pk])).content.decode()
    assert "Name the outcomes of the protocol" not in viewer_page


def test_password_change(client_for, people):
    client = client_for(people["viewer"])
    response = client.post(reverse("password_change"), {
        "old_password": "pw-for-tests-123",
        "new_password1": "a-new-long-pass-42", "new_password2": "a-new-long-pass-42"})
    assert response.status_code == 302
    people["viewer"].refresh_from_db()
    assert people["viewer"].check_password("a-new-long-pass-42")


def test_sign_in_and_out(client, people):
    response = client.post(reverse("login"), {"username": "viewer", "password": "pw-for-tests-123"})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_lead_changes_the_roles_of_a_member_who_holds_two(client_for, review, people):
    member = people["reviewer_extractor"]
    response = client_for(people["lead"]).post(reverse("member_roles", args=[review.pk, member.pk]),
                                               {"roles": ["reviewer", "viewer"]})
    assert response.status_code == 302
    assert set(Membership.objects.filter(review=review, user=member).values_list("role", flat=True)) == {
        "reviewer", "viewer"}


def test_removing_every_role_of_a_two_role_member_takes_them_off_the_team(client_for, review, people):
    member = people["reviewer_extractor"]
    client_for(people["lead"]).post(reverse("member_roles", args=[review.pk, member.pk]), {})
    assert not Membership.objects.filter(review=review, user=member).exists()
    # They are no longer a member: the role page for them is not found.
    response = client_for(people["lead"]).post(reverse("member_roles", args=[review.pk, member.pk]),
                                               {"roles": ["viewer"]})
    assert response.status_code == 404


def test_the_protocol_form_shows_the_search_period_as_the_browser_reads_it(client_for, review, people):
    from datetime import date

    from reviewapp import services

    services.review_update(actor=people["lead"], review=review, search_from=date(2000, 1, 1),
                           search_to=date(2021, 9, 30))
    page = client_for(people["lead"]).get(reverse("review_edit", args=[review.pk])).content.decode()
    assert 'type="date" name="search_from" value="2000-01-01"' in page
    assert 'type="date" name="search_to" value="2021-09-30"' in page


def test_the_members_page_lists_a_two_role_member_once_with_both_roles(client_for, review, people):
    page = client_for(people["viewer"]).get(reverse("review_members", args=[review.pk])).content.decode()
    assert page.count("(reviewer_extractor)") == 1
    assert "reviewer, extractor" in page


def test_every_review_page_has_its_own_title_and_the_favicon(client_for, review, people):
    from reviewapp import services

    outcome = services.outcome_create(actor=people["lead"], review=review, name="Sleep")
    client = client_for(people["lead"])
    for url in (reverse("home"), reverse("outcome_edit", args=[review.pk, outcome.pk]),
                reverse("password_change_done")):
        text = client.get(url).content.decode()
        title = text.split("<title>", 1)[1].split("</title>", 1)[0]
        assert title != "Review manager" and title.strip()
        assert 'rel="icon"' in text
    assert "<title>Outcome Sleep · Parent-infant psychotherapy</title>" in client.get(
        reverse("outcome_edit", args=[review.pk, outcome.pk])).content.decode()


def test_outcome_names_differing_only_in_case_are_refused_by_the_service(review, people):
    from reviewapp import services
    from reviewapp.exceptions import ApplicationError

    first = services.outcome_create(actor=people["lead"], review=review, name="Parental depression")
    other = services.outcome_create(actor=people["lead"], review=review, name="Infant sleep")
    with pytest.raises(ApplicationError, match="already has an outcome of that name"):
        services.outcome_create(actor=people["lead"], review=review, name="  PARENTAL depression ")
    with pytest.raises(ApplicationError, match="already has an outcome of that name"):
        services.outcome_update(actor=people["lead"], outcome=other, name="parental Depression")
    assert services.outcome_update(actor=people["lead"], outcome=first, name="Parental Depression").name == \
        "Parental Depression"  # its own name in another case is a rename, not a clash
    assert sorted(review.outcomes.values_list("name", flat=True)) == ["Infant sleep", "Parental Depression"]
