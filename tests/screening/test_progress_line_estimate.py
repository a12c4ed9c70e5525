"""The progress bar's total of lines: counted exactly in a small file, estimated from the first bytes
of a large one (a 2.6 GB export is not read once just to count its lines)."""
from __future__ import annotations

import io

from screening.services.importing import _estimate_lines

from .helpers import record, ris


def test_a_file_within_the_sample_is_counted_exactly_and_left_at_its_start():
    data = ris(*(record(n) for n in range(50)))
    handle = io.BytesIO(data)
    handle.read(100)
    assert _estimate_lines(handle, sample=len(data)) == data.count(b"\n") + 1
    assert handle.tell() == 0  # the parser then reads it from its first byte
    assert _estimate_lines(io.BytesIO(b"")) == 1


def test_a_larger_file_is_estimated_within_a_few_percent_from_its_first_bytes():
    data = ris(*(record(n) for n in range(5000)))
    lines = data.count(b"\n") + 1
    for sample in (len(data) // 20, len(data) // 3):
        estimate = _estimate_lines(io.BytesIO(data), sample=sample)
        assert abs(estimate - lines) < 0.05 * lines, (sample, estimate, lines)
    # Never fewer than the lines already seen, however short the sample's lines.
    skewed = b"\n" * 1000 + b"x" * 100_000
    assert _estimate_lines(io.BytesIO(skewed), sample=2000) >= 1001
