"""The records list's cheaper rendering shows the same text as before."""
from __future__ import annotations

import pytest
from django.template.defaultfilters import truncatechars

from screening.templatetags.record_links import clip_chars

SAMPLES = [
    "", "a", "x" * 159, "x" * 160, "x" * 161, "y" * 400,
    # combining accents do not count towards the length; NFC composes some of them
    "e\u0301" * 100, "e\u0301" * 200, "q\u0301" * 120, "q\u0301" * 170,
    # U+0958 is not composed by NFC: it decomposes to two code points
    "\u0958" * 90, "\u0958" * 170, "ends with an ellipsis…" + "z" * 150,
]


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("length", [1, 60, 160])
def test_clip_chars_is_truncatechars(text, length):
    assert clip_chars(text, length) == truncatechars(text, length)


def test_clip_chars_of_nothing():
    assert clip_chars("abc", 0) == truncatechars("abc", 0) == ""
    assert clip_chars(None, 5) == truncatechars(None, 5) == "None"
