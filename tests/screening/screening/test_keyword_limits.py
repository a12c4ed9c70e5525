"""Highlight keyword lists are capped in count and length, by one check the settings page, the API
and the service share: a refused list names the limit and changes nothing."""
from __future__ import annotations

import time

import pytest
from django.urls import reverse

from reviewapp import services as review_services
from reviewapp.exceptions import ApplicationError
from screening import services
from screening.highlight import MAX_KEYWORD_CHARS, MAX_KEYWORDS, highlight
from tests.api.conftest import auth

TOO_MANY = "\n".join(f"word{i}" for i in range(MAX_KEYWORDS + 1))
TOO_LONG = "child*\n" + "x" * (MAX_KEYWORD_CHARS + 1)


def _settings_form(**changes):
    return {"reviewers_per_record": 2, "blind": "on", "criteria": "", "include_keywords": "infant*",
            "exclude_keywords": "", "prioritise": "", "exclusion_reasons": "Wrong population", **changes}


@pytest.mark.parametrize("field", ["include_keywords", "exclude_keywords"])
@pytest.mark.parametrize("text, limit", [(TOO_MANY, f"at most {MAX_KEYWORDS}"),
                                         (TOO_LONG, f"at most {MAX_KEYWORD_CHARS}")])
def test_the_settings_page_refuses_a_list_over_the_limit_naming_it(client_for, review, people, field, text, limit):
    response = client_for(people["lead"]).post(reverse("screening_settings", args=[review.pk]),
                                               _settings_form(**{field: text}))
    assert response.status_code == 200
    assert limit in " ".join(response.context["form"].errors[field])
    assert not review.audit_events.filter(object_type="screening.ScreeningSettings").exists()
    assert services.screening_settings(review).include_keywords == ""


@pytest.mark.parametrize("text, limit", [(TOO_MANY, f"at most {MAX_KEYWORDS}"),
                                         (TOO_LONG, f"at most {MAX_KEYWORD_CHARS}")])
def test_the_api_refuses_a_list_over_the_limit_naming_it(client, review, people, text, limit):
    _, key = review_services.api_token_create(user=people["lead"], name="t", scope="read-write")
    response = client.patch(reverse("api_screening_settings", args=[review.pk]), {"include_keywords": text},
                            content_type="application/json", **auth(key))
    assert response.status_code == 400 and limit in str(response.json())
    assert services.screening_settings(review).include_keywords == ""


def test_the_service_refuses_it_too(review, people):
    with pytest.raises(ApplicationError, match=f"at most {MAX_KEYWORDS}") as refused:
        services.screening_settings_update(actor=people["lead"], review=review, exclude_keywords=TOO_MANY)
    assert refused.value.extra == {"field": "exclude_keywords"}


def test_lists_at_the_limit_are_kept_and_highlight_quickly(client_for, review, people, records_to_screen, screeners):
    longest = [f"{'k' * (MAX_KEYWORD_CHARS - 8)}{i:07d}*" for i in range(MAX_KEYWORDS // 2)]
    words = "\n".join([f"term{i}" for i in range(MAX_KEYWORDS // 2)] + longest)
    response = client_for(people["lead"]).post(reverse("screening_settings", args=[review.pk]),
                                               _settings_form(include_keywords=words, exclude_keywords=words))
    assert response.status_code == 302
    abstract = " ".join(f"term{i} child" for i in range(300))  # 4,000 characters, a long abstract
    started = time.process_time()  # this process's CPU time: other work on the machine does not count
    marked = highlight(abstract, words.splitlines(), words.splitlines()[::-1])
    # 0.03-0.08 s here; 20,000 keywords took 13-17 s a page
    assert time.process_time() - started < 2
    assert marked.count('<mark class="kw-include">') == 100
    page = client_for(screeners[0]).get(reverse("screen", args=[review.pk, "ta"]))
    assert page.status_code == 200


def test_a_list_stored_before_the_limits_is_cut_to_them_when_highlighting():
    include = [f"w{i}" for i in range(MAX_KEYWORDS + 50)] + ["y" * (MAX_KEYWORD_CHARS + 1)]
    text = f"w0 w{MAX_KEYWORDS - 1} w{MAX_KEYWORDS} {'y' * (MAX_KEYWORD_CHARS + 1)}"
    assert highlight(text, include, []) == (
        f'<mark class="kw-include">w0</mark> <mark class="kw-include">w{MAX_KEYWORDS - 1}</mark> '
        f'w{MAX_KEYWORDS} {"y" * (MAX_KEYWORD_CHARS + 1)}')
