"""The format registry is the one list: every format offered is detected, read and named in refusals."""
from __future__ import annotations

import pytest

from screening.importers import FORMATS, ImportFormatError, detect_format
from screening.importers.detect import _TEXT_STEPS, _ZIP_STEPS


def test_a_refusal_names_every_format_the_form_offers_by_the_name_people_know():
    with pytest.raises(ImportFormatError) as refused:
        detect_format(b"%PDF-1.7 ...", "paper.pdf")
    message = str(refused.value)
    for known in FORMATS.values():
        assert known.name in message


def test_every_format_can_be_recognised_and_read():
    for key, known in FORMATS.items():
        assert known.key == key and callable(known.read)
        assert known.sniffs, f"{key} is offered but never detected"


def test_detection_tries_each_rank_once_so_the_order_is_the_declared_one():
    for steps in (_TEXT_STEPS, _ZIP_STEPS):
        ranks = [rank for rank, _key, _sniff in steps]
        assert len(ranks) == len(set(ranks))
