"""Links of a record's identifiers (DOI, PubMed, PubMed Central) and of the places to find its full
text (the review's OpenURL resolver, Unpaywall), wherever a record is shown. Links only: nothing
is fetched. The URLs come from screening.identifiers, which percent-encodes the values; the
templates escape them as attributes."""
from __future__ import annotations

import unicodedata

from django import template
from django.template.defaultfilters import stringfilter, truncatechars
from django.utils.text import add_truncation_text

from .. import identifiers

register = template.Library()


def _first_author(record) -> str:
    authors = getattr(record, "authors", None) or []
    return str(authors[0]) if authors else ""


@register.inclusion_tag("screening/_record_identifiers.html")
def record_identifiers(record, compact=False):
    """DOI, PMID and PMCID of ``record``, each a link when it is well formed (else plain text)."""
    doi = identifiers.doi_clean(record.doi)
    # The PMCID is read from the original record; lists leave that text out (deferred), and so the id.
    pmcid = identifiers.pmcid_of(record.raw) if "raw" not in record.get_deferred_fields() else ""
    return {"doi": doi, "doi_url": identifiers.doi_url(doi), "pmid": record.pmid,
            "pmid_url": identifiers.pmid_url(record.pmid), "pmcid": pmcid, "pmc_url": identifiers.pmc_url(pmcid),
            "compact": compact}


@register.inclusion_tag("screening/_fulltext_finders.html")
def fulltext_finders(record, resolver=""):
    """"Find full text" through the library's resolver (when the review has one) and Unpaywall."""
    return {
        "resolver_url": identifiers.openurl(
            resolver, doi=record.doi, pmid=record.pmid, title=record.title, journal=record.journal,
            year=record.year, volume=record.volume, issue=record.issue, pages=record.pages, issn=record.issn,
            author=_first_author(record)),
        "unpaywall_url": identifiers.unpaywall_url(record.doi),
    }


@register.filter
@stringfilter
def clip_chars(value: str, length: int) -> str:
    """``truncatechars`` (the same text), without its per-character walk for the text that fits
    or is plain ASCII: a list page clips two fields of every row."""
    text = unicodedata.normalize("NFC", value)
    # Combining characters do not count, so a text no longer than ``length`` in code points fits.
    if 0 < length and len(text) <= length:
        return text
    if 0 < length and text.isascii():  # no combining characters: clipped where truncatechars clips
        return add_truncation_text(text[: length - 1])
    return truncatechars(value, length)
