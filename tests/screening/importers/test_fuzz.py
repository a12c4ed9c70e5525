"""Whatever the bytes, parse either returns Citations or raises ImportFormatError."""
from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from screening.importers import Citation, ImportFormatError, parse
from tests.support import data_path, require

SAMPLES = [
    "citation-file-formatting/Datasets/RIS/_baseline_scopus.ris",
    "citation-file-formatting/Datasets/CSV/_baseline_embase.csv",
    "jabref_importer_fixtures/EndnoteXmlImporterTestArticle2.xml",
    "jabref_importer_fixtures/MedlineImporterTestNbib.xml",
    "jabref_importer_fixtures/NbibImporterTest.nbib",
    "jabref_importer_fixtures/IsiImporterTestWOS.isi",
    "colrev_tests/search_sources/scopus_bib.bib",
    "colrev_tests/loader/enl_data.enl",
    "colrev_tests/loader/xlsx_data.xlsx",
]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _only_import_errors(data: bytes, filename: str | None) -> None:
    try:
        result = parse(data, filename)
    except ImportFormatError as exc:
        assert str(exc)
        return
    assert result and all(isinstance(c, Citation) for c in result)


NAMES = [None, "x.ris", "x.csv", "x.xml", "x.bib", "x.xlsx", "x.txt"]


@FUZZ
@given(data=st.binary(max_size=2000), name=st.sampled_from(NAMES))
def test_arbitrary_bytes(data, name):
    _only_import_errors(data, name)


@FUZZ
@given(
    prefix=st.sampled_from([b"TY  - JOUR\n", b"PMID- 1\n", b"FN x\nVR 1.0\nPT J\n", b"<xml><records>",
                            b"<PubmedArticleSet>", b"@article{", b"%0 Journal\n", b"Title,Authors\n", b"PT\tAU\tTI\n",
                            b"<1. >\nVN  - Ovid Technologies\n", b"RT Journal Article\nA1 x\nT1 y\n",
                            b"@string{a = {b}}\n@article{k, title = a # "]),
    body=st.text(max_size=400),
)
def test_format_prefixes_with_arbitrary_text(prefix, body):
    _only_import_errors(prefix + body.encode("utf-8", "surrogatepass"), None)


def _mutations(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:
        return data[: rng.randrange(len(data) + 1)]
    if kind == 1:
        out = bytearray(data)
        for _ in range(rng.randrange(1, 20)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    if kind == 2:
        lines = data.split(b"\n")
        insert = rng.choice([b"ER  - ", b"TY  - JOUR", b"", b"\x00\x01", b"PMID- 9", b"}", b"</record>", b"ER", b'"'])
        lines.insert(rng.randrange(len(lines) + 1), insert)
        return b"\n".join(lines)
    lines = data.split(b"\n")
    rng.shuffle(lines)
    return b"\n".join(lines)


@pytest.mark.parametrize("relative", SAMPLES)
@FUZZ
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_mutated_real_samples(relative, seed):
    path = data_path("imports", relative)
    require(path.exists(), f"real data not found at {path}")
    mutated = _mutations(path.read_bytes(), random.Random(seed))
    _only_import_errors(mutated, path.name)


@pytest.mark.parametrize("sample", ["ovid", "refworks", "bibtex"])
@FUZZ
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_mutated_fixtures_of_the_newer_readers(sample, seed):
    from .test_defect_classes import OVID_DIRECT, REFWORKS, SCOPUS_REPEATED_FIELD

    data, name = {"ovid": (OVID_DIRECT, "ovid.txt"), "refworks": (REFWORKS, "refworks.txt"),
                  "bibtex": (SCOPUS_REPEATED_FIELD, "scopus.bib")}[sample]
    _only_import_errors(_mutations(data, random.Random(seed)), name)
