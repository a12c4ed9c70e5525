"""Every file of the real exports (tests/data/imports): the bibliographic exports import with
the right number of records, and the rest are refused with a clear reason.

Record counts were established from the files themselves, not from the parser:
ER lines for RIS, PMID lines and blank-line blocks for MEDLINE, <record> /
<PubmedArticle> elements for XML, "@type{" lines (less @comment) for BibTeX,
ER lines for Web of Science, %T lines and blocks for EndNote tagged, and
non-empty data rows after the header row for CSV/TSV/XLSX.
"""
from __future__ import annotations

import pytest

from screening.importers import ImportFormatError, detect_format, parse
from tests.support import data_path, require

IMPORTS = data_path("imports")

# file -> (detected format, records)
EXPECTED = {
    "asreview_demo_data/_baseline.ris": ("ris", 100),
    "asreview_demo_data/baseline_empty_values.ris": ("ris", 4),
    "asreview_demo_data/baseline_reference_types.ris": ("ris", 61),
    "asreview_demo_data/baseline_tag-notes_labels.ris": ("ris", 32),
    "asreview_demo_data/baseline_zotero.ris": ("ris", 100),
    "asreview_demo_data/duplicate_records.csv": ("csv", 14),
    "asreview_demo_data/embase.csv": ("csv", 6),
    "asreview_demo_data/embase.ris": ("ris", 6),
    "asreview_demo_data/faulty_year.ris": ("ris", 1),
    "asreview_demo_data/generic_labels.csv": ("csv", 6),
    "asreview_demo_data/generic_partial_labels.csv": ("csv", 6),
    "asreview_demo_data/generic_semicolon.csv": ("csv", 2),
    "asreview_demo_data/generic_tab.tsv": ("tsv", 2),
    "asreview_demo_data/missing_values.csv": ("csv", 4),
    "asreview_demo_data/ovid_psycinfo.ris": ("ris", 6),
    "asreview_demo_data/ovid_zotero.ris": ("ris", 6),
    "asreview_demo_data/proquest.ris": ("ris", 6),
    "asreview_demo_data/pubmed_endnote.txt": ("ris", 6),
    "asreview_demo_data/pubmed_zotero.ris": ("ris", 6),
    "asreview_demo_data/ris_issue_1099.txt": ("ris", 7),
    "asreview_demo_data/ris_issue_992.txt": ("ris", 19),
    "asreview_demo_data/ris_many_authors.ris": ("ris", 1),
    "asreview_demo_data/scopus.ris": ("ris", 6),
    "asreview_demo_data/web_of_science.txt": ("ris", 10),
    "citation-file-formatting/Datasets/CSV/_baseline.csv": ("csv", 100),
    "citation-file-formatting/Datasets/CSV/_baseline_abstrackr.csv": ("csv", 10),
    "citation-file-formatting/Datasets/CSV/_baseline_cinahl.csv": ("csv", 10),
    "citation-file-formatting/Datasets/CSV/_baseline_cochrane.csv": ("csv", 3),
    "citation-file-formatting/Datasets/CSV/_baseline_covidence.csv": ("csv", 10),
    "citation-file-formatting/Datasets/CSV/_baseline_embase.csv": ("csv", 10),
    "citation-file-formatting/Datasets/CSV/_baseline_excel.csv": ("csv", 10),
    "citation-file-formatting/Datasets/CSV/_baseline_googlescholar.csv": ("csv", 10),
    "citation-file-formatting/Datasets/CSV/_baseline_openalex.csv": ("csv", 9),
    "citation-file-formatting/Datasets/CSV/_baseline_pubmed.csv": ("csv", 10),
    "citation-file-formatting/Datasets/CSV/_baseline_rayyan.csv": ("csv", 10),
    "citation-file-formatting/Datasets/CSV/_baseline_scopus.csv": ("csv", 10),
    "citation-file-formatting/Datasets/CSV/_baseline_zotero.csv": ("csv", 10),
    "citation-file-formatting/Datasets/RIS/_baseline.ris": ("ris", 100),
    "citation-file-formatting/Datasets/RIS/_baseline_cinahl.ris": ("ris", 9),
    "citation-file-formatting/Datasets/RIS/_baseline_citavi.ris": ("ris", 100),
    "citation-file-formatting/Datasets/RIS/_baseline_cochrane_endnote.ris": ("ris", 3),
    "citation-file-formatting/Datasets/RIS/_baseline_cochrane_procite.ris": ("ris", 3),
    "citation-file-formatting/Datasets/RIS/_baseline_cochrane_refman.ris": ("ris", 3),
    "citation-file-formatting/Datasets/RIS/_baseline_covidence_endnote.ris": ("ris", 10),
    "citation-file-formatting/Datasets/RIS/_baseline_covidence_mendeley.ris": ("ris", 10),
    "citation-file-formatting/Datasets/RIS/_baseline_covidence_refworks.ris": ("ris", 10),
    "citation-file-formatting/Datasets/RIS/_baseline_covidence_zotero.ris": ("ris", 10),
    "citation-file-formatting/Datasets/RIS/_baseline_embase.ris": ("ris", 10),
    "citation-file-formatting/Datasets/RIS/_baseline_endnote.ris": ("ris", 10),
    "citation-file-formatting/Datasets/RIS/_baseline_eppireviewer.ris": ("ris", 10),
    "citation-file-formatting/Datasets/RIS/_baseline_eric_ovid.ris": ("ris", 10),
    "citation-file-formatting/Datasets/RIS/_baseline_googlescholar.ris": ("ris", 10),
    "citation-file-formatting/Datasets/RIS/_baseline_mdpi.ris": ("ris", 11),
    "citation-file-formatting/Datasets/RIS/_baseline_mendeley.ris": ("ris", 10),
    "citation-file-formatting/Datasets/RIS/_baseline_openalex.ris": ("ris", 9),
    "citation-file-formatting/Datasets/RIS/_baseline_psychInfo_ovid.ris": ("ris", 10),
    "citation-file-formatting/Datasets/RIS/_baseline_pubmed.ris": ("medline", 50),
    "citation-file-formatting/Datasets/RIS/_baseline_rayyan.ris": ("ris", 10),
    "citation-file-formatting/Datasets/RIS/_baseline_refworks.ris": ("ris", 10),
    "citation-file-formatting/Datasets/RIS/_baseline_scopus.ris": ("ris", 10),
    "citation-file-formatting/Datasets/RIS/_baseline_webofscience.ris": ("ris", 10),
    "citation-file-formatting/Datasets/RIS/_baseline_zotero.ris": ("ris", 10),
    "citation-file-formatting/Datasets/TSV/_baseline.tsv": ("tsv", 100),
    "citation-file-formatting/Datasets/TSV/_baseline_refworks.tsv": ("tsv", 100),
    "citation-file-formatting/Datasets/XLSX/_baseline.xlsx": ("xlsx", 100),
    "citation-file-formatting/Datasets/XLSX/_baseline_embase.xlsx": ("xlsx", 10),
    "citation-file-formatting/Datasets/XLSX/_baseline_eppireviewer.xlsx": ("xlsx", 10),
    "colrev_tests/loader/bib_data.bib": ("bibtex", 6),
    "colrev_tests/loader/csv_data.csv": ("csv", 2),
    "colrev_tests/loader/enl_data.enl": ("endnote_tagged", 3),
    "colrev_tests/loader/enl_data_expected.bib": ("bibtex", 3),
    "colrev_tests/loader/nbib_data.nbib": ("medline", 1),
    "colrev_tests/loader/ris_data.ris": ("ris", 2),
    "colrev_tests/loader/xlsx_data.xlsx": ("xlsx", 3),
    "colrev_tests/search_sources/abi_inform_proquest_bib.bib": ("bibtex", 2),
    "colrev_tests/search_sources/abi_inform_proquest_ris.ris": ("ris", 2),
    "colrev_tests/search_sources/acm_bib.bib": ("bibtex", 2),
    "colrev_tests/search_sources/ais_enl.txt": ("endnote_tagged", 6),
    "colrev_tests/search_sources/crossref_bib.bib": ("bibtex", 1),
    "colrev_tests/search_sources/dblp_bib.bib": ("bibtex", 2),
    "colrev_tests/search_sources/eric_nbib.nbib": ("medline", 1),
    "colrev_tests/search_sources/europe_pmc_bib.bib": ("bibtex", 2),
    "colrev_tests/search_sources/files_dir_bib.bib": ("bibtex", 3),
    "colrev_tests/search_sources/ieee_csv.csv": ("csv", 2),
    "colrev_tests/search_sources/ieee_ris.ris": ("ris", 2),
    "colrev_tests/search_sources/jstor_ris.ris": ("ris", 4),
    "colrev_tests/search_sources/psycinfo_ris.ris": ("ris", 1),
    "colrev_tests/search_sources/pubmed-chatbot.csv": ("csv", 6),
    "colrev_tests/search_sources/pubmed_csv.csv": ("csv", 1),
    "colrev_tests/search_sources/scopus_bib.bib": ("bibtex", 11),
    "colrev_tests/search_sources/springer_csv.csv": ("csv", 1),
    "colrev_tests/search_sources/taylor_and_francis_bib.bib": ("bibtex", 2),
    "colrev_tests/search_sources/trid_ris.ris": ("ris", 3),
    "colrev_tests/search_sources/unknown_source_bib.bib": ("bibtex", 1),
    "colrev_tests/search_sources/web_of_science_bib.bib": ("bibtex", 2),
    "colrev_tests/search_sources/wiley_bib.bib": ("bibtex", 2),
    "jabref_importer_fixtures/BibtexImporter.examples.bib": ("bibtex", 4),
    "jabref_importer_fixtures/CitaviXmlImporterTest1.bib": ("bibtex", 60),
    "jabref_importer_fixtures/CitaviXmlImporterTest2.bib": ("bibtex", 58),
    "jabref_importer_fixtures/CitaviXmlImporterTest3.bib": ("bibtex", 99),
    "jabref_importer_fixtures/CitaviXmlImporterTest4.bib": ("bibtex", 1),
    "jabref_importer_fixtures/CitaviXmlImporterTest5.bib": ("bibtex", 4),
    "jabref_importer_fixtures/CopacImporterTest1.bib": ("bibtex", 1),
    "jabref_importer_fixtures/CopacImporterTest2.bib": ("bibtex", 2),
    "jabref_importer_fixtures/Endnote.book.example.enw": ("endnote_tagged", 1),
    "jabref_importer_fixtures/Endnote.entries.enw": ("endnote_tagged", 1),
    "jabref_importer_fixtures/Endnote.pattern.A.enw": ("endnote_tagged", 1),
    "jabref_importer_fixtures/Endnote.pattern.E.enw": ("endnote_tagged", 1),
    "jabref_importer_fixtures/EndnoteXmlImporterTestArticle.bib": ("bibtex", 1),
    "jabref_importer_fixtures/EndnoteXmlImporterTestArticle.xml": ("endnote_xml", 1),
    "jabref_importer_fixtures/EndnoteXmlImporterTestArticle2.bib": ("bibtex", 2),
    "jabref_importer_fixtures/EndnoteXmlImporterTestArticle2.xml": ("endnote_xml", 2),
    "jabref_importer_fixtures/EndnoteXmlImporterTestLabelAndMultiTitle.bib": ("bibtex", 3),
    "jabref_importer_fixtures/EndnoteXmlImporterTestLabelAndMultiTitle.xml": ("endnote_xml", 3),
    "jabref_importer_fixtures/EndnoteXmlImporterTestReport.bib": ("bibtex", 1),
    "jabref_importer_fixtures/EndnoteXmlImporterTestReport.xml": ("endnote_xml", 1),
    "jabref_importer_fixtures/EndnoteXmlImporterTest_EmptyKeywordStyle.bib": ("bibtex", 1),
    "jabref_importer_fixtures/EndnoteXmlImporterTest_EmptyKeywordStyle.xml": ("endnote_xml", 1),
    "jabref_importer_fixtures/EndnoteXmlImporterTest_WithoutUrlStyle.bib": ("bibtex", 1),
    "jabref_importer_fixtures/EndnoteXmlImporterTest_WithoutUrlStyle.xml": ("endnote_xml", 1),
    "jabref_importer_fixtures/EndnoteXmlImporterTest_WithoutUrlStyle2.bib": ("bibtex", 2),
    "jabref_importer_fixtures/EndnoteXmlImporterTest_WithoutUrlStyle2.xml": ("endnote_xml", 2),
    "jabref_importer_fixtures/IsiImporterTest1.isi": ("wos", 1),
    "jabref_importer_fixtures/IsiImporterTest2.isi": ("wos", 3),
    "jabref_importer_fixtures/IsiImporterTestInspec.isi": ("wos", 2),
    "jabref_importer_fixtures/IsiImporterTestMedline.isi": ("wos", 2),
    "jabref_importer_fixtures/IsiImporterTestWOS.isi": ("wos", 2),
    "jabref_importer_fixtures/MedlineImporterTestArticleID.bib": ("bibtex", 1),
    "jabref_importer_fixtures/MedlineImporterTestArticleID.xml": ("pubmed_xml", 1),
    "jabref_importer_fixtures/MedlineImporterTestArticleItalics.bib": ("bibtex", 1),
    "jabref_importer_fixtures/MedlineImporterTestArticleItalics.xml": ("pubmed_xml", 1),
    "jabref_importer_fixtures/MedlineImporterTestArticleNoISSN.bib": ("bibtex", 1),
    "jabref_importer_fixtures/MedlineImporterTestArticleNoISSN.xml": ("pubmed_xml", 1),
    "jabref_importer_fixtures/MedlineImporterTestBookArticleSet.bib": ("bibtex", 2),
    "jabref_importer_fixtures/MedlineImporterTestBookArticleSet.xml": ("pubmed_xml", 2),
    "jabref_importer_fixtures/MedlineImporterTestKeywordSingleEntry.bib": ("bibtex", 1),
    "jabref_importer_fixtures/MedlineImporterTestKeywordSingleEntry.xml": ("pubmed_xml", 1),
    "jabref_importer_fixtures/MedlineImporterTestMathML.bib": ("bibtex", 1),
    "jabref_importer_fixtures/MedlineImporterTestMathML.xml": ("pubmed_xml", 1),
    "jabref_importer_fixtures/MedlineImporterTestMeshHeadingList.bib": ("bibtex", 1),
    "jabref_importer_fixtures/MedlineImporterTestMeshHeadingList.xml": ("pubmed_xml", 1),
    "jabref_importer_fixtures/MedlineImporterTestMinimalEntry.xml": ("pubmed_xml", 1),
    "jabref_importer_fixtures/MedlineImporterTestNbib.bib": ("bibtex", 2),
    "jabref_importer_fixtures/MedlineImporterTestNbib.xml": ("pubmed_xml", 2),
    "jabref_importer_fixtures/MedlineImporterTestPubmedBook.bib": ("bibtex", 1),
    "jabref_importer_fixtures/MedlineImporterTestPubmedBook.xml": ("pubmed_xml", 1),
    "jabref_importer_fixtures/MedlinePlainImporterStringOutOfBounds.bib": ("bibtex", 2),
    "jabref_importer_fixtures/MedlinePlainImporterStringOutOfBounds.txt": ("medline", 2),
    "jabref_importer_fixtures/MedlinePlainImporterTestCompleteEntry.bib": ("bibtex", 1),
    "jabref_importer_fixtures/MedlinePlainImporterTestCompleteEntry.txt": ("medline", 1),
    "jabref_importer_fixtures/MedlinePlainImporterTestDOI.bib": ("bibtex", 1),
    "jabref_importer_fixtures/MedlinePlainImporterTestDOI.txt": ("medline", 1),
    "jabref_importer_fixtures/MedlinePlainImporterTestInproceeding.bib": ("bibtex", 1),
    "jabref_importer_fixtures/MedlinePlainImporterTestInproceeding.txt": ("medline", 1),
    "jabref_importer_fixtures/MedlinePlainImporterTestMultiAbstract.bib": ("bibtex", 1),
    "jabref_importer_fixtures/MedlinePlainImporterTestMultiAbstract.txt": ("medline", 1),
    "jabref_importer_fixtures/MedlinePlainImporterTestMultiTitle.bib": ("bibtex", 1),
    "jabref_importer_fixtures/MedlinePlainImporterTestMultiTitle.txt": ("medline", 1),
    "jabref_importer_fixtures/MedlinePlainImporterTestMultipleEntries.txt": ("medline", 7),
    "jabref_importer_fixtures/NbibImporterTest.bib": ("bibtex", 1),
    "jabref_importer_fixtures/NbibImporterTest.nbib": ("medline", 1),
    "jabref_importer_fixtures/OvidImporterTestBib3.bib": ("bibtex", 1),
    "jabref_importer_fixtures/OvidImporterTestBib4.bib": ("bibtex", 1),
    "jabref_importer_fixtures/OvidImporterTestBib5.bib": ("bibtex", 1),
    "jabref_importer_fixtures/OvidImporterTestBib6.bib": ("bibtex", 1),
    "jabref_importer_fixtures/OvidImporterTestBib7.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTest1.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTest1.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTest3.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTest3.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTest4a.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTest4a.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTest4b.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTest4b.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTest4c.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTest4c.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTest5a.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTest5a.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTest5b.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTest5b.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTest6.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTest6.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTest7.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTest7.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTest8_date.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTest8_date.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTest9.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTest9.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTestDOI.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTestDOI.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTestDate1.1.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTestDate1.1.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTestDate1.2.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTestDate1.2.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTestDoiAndJournalTitle.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTestDoiAndJournalTitle.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTestScience.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTestScience.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTestScopus.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTestScopus.ris": ("ris", 1),
    "jabref_importer_fixtures/RisImporterTestWithEmptyER.bib": ("bibtex", 1),
    "jabref_importer_fixtures/RisImporterTestWithEmptyER.ris": ("ris", 1),
    "rispy_tests/example_basic.ris": ("ris", 1),
    "rispy_tests/example_bom.ris": ("ris", 1),
    "rispy_tests/example_custom_list_tags.ris": ("ris", 1),
    "rispy_tests/example_empty_tag.ris": ("ris", 1),
    "rispy_tests/example_extraneous_data.ris": ("ris", 2),
    "rispy_tests/example_full.ris": ("ris", 2),
    "rispy_tests/example_full_without_whitespace.ris": ("ris", 2),
    "rispy_tests/example_full_write.ris": ("ris", 2),
    "rispy_tests/example_multi_unknown_tags.ris": ("ris", 1),
    "rispy_tests/example_multiline.ris": ("ris", 3),
    "rispy_tests/example_single_unknown_tag.ris": ("ris", 1),
    "rispy_tests/example_starting_newlines.ris": ("ris", 1),
    "rispy_tests/example_urls.ris": ("ris", 4),
    "rispy_tests/example_utf_chars.ris": ("ris", 1),
    "rispy_tests/example_wos.ris": ("wos", 2),
}

# Files that are not bibliographic exports, or broken on purpose -> fragment of the message.
REFUSED = {
    "citation-file-formatting/Datasets/README.md": "could not recognise the format",
    "citation-file-formatting/LICENSE": "could not recognise the format",
    "colrev_tests/loader/md_data.md": "could not recognise the format",
    # A scraped keyword field closes its braces early: the entry really is malformed.
    "colrev_tests/search_sources/ebsco_bib.bib": "line 15: this BibTeX entry could not be read",
    "colrev_tests/search_sources/google_scholar.json": "JSON file",
    "jabref_importer_fixtures/CitaviXmlImporterTest1.ctv6bak": "Citavi project backup",
    "jabref_importer_fixtures/CitaviXmlImporterTest2.ctv6bak": "Citavi project backup",
    "jabref_importer_fixtures/CitaviXmlImporterTest3.ctv6bak": "Citavi project backup",
    "jabref_importer_fixtures/CitaviXmlImporterTest4.ctv6bak": "Citavi project backup",
    "jabref_importer_fixtures/CitaviXmlImporterTest5.ctv6bak": "Citavi project backup",
    "jabref_importer_fixtures/CopacImporterTest1.txt": "Copac",
    "jabref_importer_fixtures/CopacImporterTest2.txt": "Copac",
    "jabref_importer_fixtures/Endnote.pattern.no_enw": "no EndNote tagged records",
    "jabref_importer_fixtures/IsiImporterTestEmpty.isi": "could not recognise the format",
    "jabref_importer_fixtures/MedlineImporterTestMalformedEntry.xml": "line 4: the XML is not well-formed",
    "jabref_importer_fixtures/MedlineImporterTestMinimalEntry.bib": "no BibTeX entries found",
    "jabref_importer_fixtures/MedlinePlainImporterTestInvalidFormat.xml": "could not recognise the format",
    "jabref_importer_fixtures/OvidImporterTest1.txt": "Ovid's on-screen citation display",
    "jabref_importer_fixtures/OvidImporterTest2Invalid.txt": "could not recognise the format",
    "jabref_importer_fixtures/OvidImporterTest3.txt": "Ovid's on-screen citation display",
    "jabref_importer_fixtures/OvidImporterTest4.txt": "Ovid's on-screen citation display",
    "jabref_importer_fixtures/OvidImporterTest5.txt": "Ovid's on-screen citation display",
    "jabref_importer_fixtures/OvidImporterTest6.txt": "Ovid's on-screen citation display",
    "jabref_importer_fixtures/OvidImporterTest7.txt": "Ovid's on-screen citation display",
    "jabref_importer_fixtures/RisImporterCorrupted.ris": "line 2: found the tag 'JF  - ' outside any record",
}


def _read(relative: str) -> bytes:
    path = IMPORTS / relative
    require(path.exists(), f"real data not found at {path}")
    return path.read_bytes()


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_export_imports_with_expected_count(relative):
    data = _read(relative)
    name = relative.rsplit("/", 1)[-1]
    expected_format, expected_count = EXPECTED[relative]
    assert detect_format(data, name) == expected_format
    citations = parse(data, name)
    assert len(citations) == expected_count
    assert all(c.raw for c in citations)
    lines = [c.line for c in citations]
    assert all(isinstance(n, int) and n >= 1 for n in lines)
    assert lines == sorted(lines)


@pytest.mark.parametrize("relative", sorted(REFUSED))
def test_non_export_is_refused_with_reason(relative):
    data = _read(relative)
    name = relative.rsplit("/", 1)[-1]
    with pytest.raises(ImportFormatError) as caught:
        parse(data, name)
    message = str(caught.value)
    assert message.startswith(name)
    assert REFUSED[relative] in message


def test_every_shared_file_is_accounted_for():
    require(IMPORTS.exists(), f"real data not found at {IMPORTS}")
    on_disk = {str(p.relative_to(IMPORTS)) for p in IMPORTS.rglob("*") if p.is_file()}
    listed = set(EXPECTED) | set(REFUSED)
    assert on_disk - listed == set(), "new files in tests/data/imports need an expected count"
    assert listed - on_disk == set()
