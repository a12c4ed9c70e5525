"""An upload read from its open file gives what its bytes give, without holding the file in memory."""
from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from screening.importers import ImportFormatError, detect_format, iter_parse, parse

DATA = Path(__file__).resolve().parents[2] / "data" / "imports"
SAMPLES = Path(__file__).resolve().parent / "samples"
FILES = sorted(p for p in [*DATA.rglob("*"), *SAMPLES.rglob("*")]
               if p.is_file() and p.suffix.lower() not in (".md", "") and p.name != "LICENSE")


def _outcome(data, name):
    try:
        return parse(data, name)
    except ImportFormatError as exc:
        return ("refused", str(exc), exc.line)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_every_file_reads_the_same_from_its_open_file_as_from_its_bytes(path):
    from_bytes = _outcome(path.read_bytes(), path.name)
    with path.open("rb") as handle:
        from_file = _outcome(handle, path.name)
    assert from_file == from_bytes


@pytest.mark.parametrize("encoded, name", [
    ("TY  - JOUR\r\nTI  - Caf\u00e9 na\u00efve\r\nER  - \r\n".encode("cp1252"), "legacy.ris"),
    (b"\xef\xbb\xbf" + "TY  - JOUR\nTI  - Caf\u00e9\nER  - \n".encode(), "bom.ris"),
    ("TY  - JOUR\nTI  - Caf\u00e9\nER  - \n".encode("utf-16"), "utf16.ris"),
    (b"TY  - JOUR\rTI  - Old Mac\rER  - \r", "cr.ris"),
])
def test_encodings_and_line_ends_read_from_a_file(tmp_path, encoded, name):
    path = tmp_path / name
    path.write_bytes(encoded)
    with path.open("rb") as handle:
        (citation,) = parse(handle, name)
    assert citation.title == parse(encoded, name)[0].title
    assert citation.title.startswith(("Caf\u00e9", "Old Mac"))


def test_blank_file_is_refused_as_empty_from_a_file(tmp_path):
    path = tmp_path / "blank.ris"
    path.write_bytes(b" \n" * 70000)  # blanks beyond the first 64 KiB detection looks at
    with path.open("rb") as handle, pytest.raises(ImportFormatError, match="empty"):
        detect_format(handle, "blank.ris")


def _ris(path: Path, records: int) -> None:
    abstract = "word " * 600
    with path.open("w") as out:
        for i in range(records):
            out.write(f"TY  - JOUR\nTI  - Title {i}\nAU  - Author, A{i}\nPY  - 2001\n"
                      f"DO  - 10.1/{i}\nAB  - {abstract}\nER  - \n\n")


def _peak_while_reading(path: Path) -> int:
    tracemalloc.start()
    try:
        with path.open("rb") as handle:
            count = sum(1 for _ in iter_parse(handle, path.name))
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count > 0
    return peak


def test_reading_from_the_file_does_not_grow_with_the_file(tmp_path):
    small, large = tmp_path / "small.ris", tmp_path / "large.ris"
    _ris(small, 2000)   # about 6 MB
    _ris(large, 8000)   # about 24 MB
    small_peak, large_peak = _peak_while_reading(small), _peak_while_reading(large)
    # Held whole, the large file alone would be 24 MB of bytes and as much again decoded.
    assert large_peak < large.stat().st_size / 3
    assert large_peak < 2 * small_peak
