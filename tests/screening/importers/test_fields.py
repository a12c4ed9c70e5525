"""Field-level checks on one representative real record per format, and the
cross-format consistency of the citation-file-formatting baseline set."""
from __future__ import annotations

import re

import pytest

from screening.importers import parse
from tests.support import data_path, require

IMPORTS = data_path("imports")
DATASETS = IMPORTS / "citation-file-formatting" / "Datasets"


def _parse(relative: str):
    path = IMPORTS / relative
    require(path.exists(), f"real data not found at {path}")
    return parse(path.read_bytes(), path.name)


def _key(title: str | None) -> str:
    return re.sub(r"\W+", "", (title or "").lower())


def test_scopus_ris_record():
    c = _parse("citation-file-formatting/Datasets/RIS/_baseline_scopus.ris")[0]
    assert c.title == "Global latitudinal gradients and the evolution of body size in dinosaurs and mammals"
    assert c.authors[:3] == ["Wilson, L.N.", "Gardner, J.D.", "Wilson, J.P."]
    assert (c.year, c.journal, c.volume, c.issue) == (2024, "Nature Communications", "15", "1")
    assert c.doi == "10.1038/s41467-024-46843-2"
    assert c.issn == "2041-1723"
    assert c.publication_type == "JOUR"
    assert c.line == 1 and c.raw.startswith("TY  - JOUR") and c.raw.rstrip().endswith("ER  -")


def test_embase_ris_takes_pmid_from_c5_and_ovid_numbering_is_skipped():
    embase = _parse("asreview_demo_data/embase.ris")
    assert any(c.pmid == "15368318" for c in embase)
    ovid = _parse("asreview_demo_data/ovid_psycinfo.ris")
    assert ovid[0].doi == "10.1002/cpp.2398"  # from "http://dx.doi.org/10.1002/cpp.2398"
    assert not ovid[0].raw.startswith("1.")


def test_pubmed_via_endnote_ris_keeps_wrapped_keywords_and_pmid():
    c = _parse("asreview_demo_data/pubmed_endnote.txt")[0]
    assert c.pmid == "21553931"  # AN, with DP "NLM"
    assert "Boswellia/*chemistry" in c.keywords and "Humans" in c.keywords
    assert c.pages == "349-69"


def test_medline_record():
    c = _parse("citation-file-formatting/Datasets/RIS/_baseline_pubmed.ris")[0]
    assert c.pmid == "30922926"
    assert c.title == "Time lapse: A glimpse into prehistoric genomics."
    assert c.authors[:3] == ["Griffin, Darren K", "Larkin, Denis M", "O'Connor, Rebecca E"]
    assert c.year == 2020
    assert c.journal == "European journal of medical genetics"
    assert c.doi == "10.1016/j.ejmg.2019.03.004"
    assert "Journal Article" in c.publication_type
    assert "Dinosaur" in " ".join(c.keywords)


def test_medline_multi_title_and_doi_without_marker():
    titles = _parse("jabref_importer_fixtures/MedlinePlainImporterTestMultiTitle.txt")[0].title
    assert titles.startswith("This is a Testtitle") and "should also be appended" in titles
    doi = _parse("jabref_importer_fixtures/MedlinePlainImporterTestDOI.txt")[0]
    assert (doi.doi, doi.pmid) == ("10.1016/j.cpr.2005.02.002", "22664220")


def test_nbib_matches_jabref_expected_fields():
    c = _parse("jabref_importer_fixtures/NbibImporterTest.nbib")[0]
    expected = _parse("jabref_importer_fixtures/NbibImporterTest.bib")[0]
    assert c.doi == "10.4103/2277-9175.180636"  # JabRef writes it as article-doi
    assert c.year == expected.year
    assert _key(c.title) == _key(expected.title)
    assert c.pmid == "27169098"


@pytest.mark.parametrize(
    "source, expected_bib",
    [
        ("EndnoteXmlImporterTestArticle.xml", "EndnoteXmlImporterTestArticle.bib"),
        ("EndnoteXmlImporterTestArticle2.xml", "EndnoteXmlImporterTestArticle2.bib"),
        ("MedlineImporterTestArticleID.xml", "MedlineImporterTestArticleID.bib"),
        ("MedlineImporterTestMathML.xml", "MedlineImporterTestMathML.bib"),
        ("RisImporterTestScopus.ris", "RisImporterTestScopus.bib"),
        ("RisImporterTestDOI.ris", "RisImporterTestDOI.bib"),
        ("RisImporterTest3.ris", "RisImporterTest3.bib"),
        ("RisImporterTestWithEmptyER.ris", "RisImporterTestWithEmptyER.bib"),
    ],
)
def test_jabref_fixture_agrees_with_its_expected_bibtex(source, expected_bib):
    ours = _parse(f"jabref_importer_fixtures/{source}")
    expected = _parse(f"jabref_importer_fixtures/{expected_bib}")
    assert len(ours) == len(expected)
    for mine, theirs in zip(ours, expected, strict=True):
        assert _key(mine.title) == _key(theirs.title)
        assert mine.doi == theirs.doi
        assert mine.year == theirs.year
        assert [a.split(",")[0] for a in mine.authors] == [a.split(",")[0] for a in theirs.authors]


def test_endnote_xml_concatenates_style_runs_and_reads_ids():
    c = _parse("jabref_importer_fixtures/EndnoteXmlImporterTestArticle.xml")[0]
    assert c.title.startswith("Trends in the lifetime risk of developing cancer in Great Britain")
    assert (c.doi, c.pmid, c.pages, c.year) == ("10.1038/bjc.2014.606", "25647015", "943-7", 2015)
    assert c.publication_type == "Journal Article"


def test_wos_plain_text_record():
    c = _parse("rispy_tests/example_wos.ris")[0]
    assert c.title.startswith("Interactions stabilizing the structure of the core light-harvesting complex")
    assert c.authors[:2] == ["Parkes-Loach, PS", "Majeed, AP"]
    assert (c.year, c.journal, c.pages) == (2004, "BIOCHEMISTRY", "7003-7016")
    assert (c.doi, c.pmid) == ("10.1021/bi049798f", "15170338")
    assert "IN-VITRO RECONSTITUTION" in c.keywords


def test_wos_medline_records_split_semicolon_authors():
    c = _parse("jabref_importer_fixtures/IsiImporterTestMedline.isi")[1]
    assert c.authors[:2] == ["Joffe, Hadine", "Hall, Janet E"]
    assert c.pmid == "16735938" and c.pages == "411-22"


def test_bibtex_record_decodes_latex():
    c = _parse("jabref_importer_fixtures/BibtexImporter.examples.bib")[0]
    assert c.authors == ["Preißel, René"]


def test_scopus_csv_recognised_without_column_map():
    c = _parse("citation-file-formatting/Datasets/CSV/_baseline_scopus.csv")[0]
    assert c.title == "Global latitudinal gradients and the evolution of body size in dinosaurs and mammals"
    assert (c.year, c.doi, c.pmid) == (2024, "10.1038/s41467-024-46843-2", "38580657")
    assert c.journal == "Nature Communications"
    assert c.authors[0] == "Wilson, L.N."
    assert c.line == 2


def test_embase_csv_skips_its_search_query_preamble():
    cs = _parse("citation-file-formatting/Datasets/CSV/_baseline_embase.csv")
    assert len(cs) == 10 and all(c.title and c.doi for c in cs)


def test_pubmed_csv_splits_short_author_names():
    c = _parse("citation-file-formatting/Datasets/CSV/_baseline_pubmed.csv")[0]
    assert c.authors == ["Griffin, DK", "Larkin, DM", "O'Connor, RE"]


def test_xlsx_skips_title_row_above_header():
    c = _parse("citation-file-formatting/Datasets/XLSX/_baseline.xlsx")[0]
    assert c.line == 3
    assert c.doi == "10.1007/s11307-012-0572-0" and c.pmid == "22752652" and c.year == 2012


BASELINE_100 = ["RIS/_baseline.ris", "RIS/_baseline_citavi.ris", "CSV/_baseline.csv", "TSV/_baseline.tsv",
                "TSV/_baseline_refworks.tsv", "XLSX/_baseline.xlsx"]


@pytest.mark.parametrize("relative", BASELINE_100)
def test_baseline_set_has_same_records_whatever_the_format(relative):
    require(DATASETS.exists(), f"real data not found at {DATASETS}")
    reference = {c.doi: c for c in parse((DATASETS / "RIS/_baseline.ris").read_bytes())}
    assert len(reference) == 100
    other = parse((DATASETS / relative).read_bytes(), relative)
    assert {c.doi for c in other} == set(reference)
    for c in other:
        assert _key(c.title) == _key(reference[c.doi].title)
        assert c.year == reference[c.doi].year


DINOSAUR_SET = ["RIS/_baseline_covidence_endnote.ris", "RIS/_baseline_covidence_mendeley.ris",
                "RIS/_baseline_covidence_refworks.ris", "CSV/_baseline_covidence.csv"]


@pytest.mark.parametrize("relative", DINOSAUR_SET)
def test_covidence_exports_agree_across_formats(relative):
    require(DATASETS.exists(), f"real data not found at {DATASETS}")
    reference = {c.doi: c for c in parse((DATASETS / "RIS/_baseline_covidence_zotero.ris").read_bytes())}
    other = parse((DATASETS / relative).read_bytes(), relative)
    assert {c.doi for c in other} == set(reference)
    for c in other:
        assert _key(c.title) == _key(reference[c.doi].title)
        assert c.year == reference[c.doi].year


# Years and DOIs that JabRef's expected BibTeX (beside each file) agrees with.
@pytest.mark.parametrize("relative, year", [
    ("jabref_importer_fixtures/MedlinePlainImporterTestCompleteEntry.txt", 2009),  # DA 2010 comes before DP 2009
    ("jabref_importer_fixtures/RisImporterTestDate1.1.ris", 2005),  # Y2 2019 (access date) comes before PY 2005
])
def test_year_is_the_publication_date_in_real_files(relative, year):
    assert _parse(relative)[0].year == year


def test_eric_nbib_doi_given_as_a_link():
    assert _parse("colrev_tests/search_sources/eric_nbib.nbib")[0].doi == "10.1000/123456789"


def test_bibtex_keeps_unescaped_ampersands_and_percent_signs_of_real_exports():
    assert _parse("colrev_tests/search_sources/taylor_and_francis_bib.bib")[0].title.endswith("Taylor & Francis")
    abstract = _parse("jabref_importer_fixtures/MedlineImporterTestArticleItalics.bib")[0].abstract
    assert "95% confidence interval" in abstract


def test_pmids_written_as_pubmed_prefix_or_link_in_real_csv_exports():
    cochrane = _parse("citation-file-formatting/Datasets/CSV/_baseline_cochrane.csv")
    assert "21314913" in {c.pmid for c in cochrane}
    openalex = _parse("citation-file-formatting/Datasets/CSV/_baseline_openalex.csv")
    assert "38584612" in {c.pmid for c in openalex}
