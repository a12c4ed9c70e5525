"""Links a record's identifiers lead to: the DOI resolver, PubMed, PubMed Central, a library's
OpenURL link resolver and Unpaywall. Plain Python: the app builds these links and never fetches them.

Every value is percent-encoded into its URL here; templates escape the URL again as an attribute.
"""
from __future__ import annotations

import re
from urllib.parse import quote, urlencode, urlsplit

DOI_RESOLVER = "https://doi.org/"
UNPAYWALL = "https://unpaywall.org/"
PUBMED = "https://pubmed.ncbi.nlm.nih.gov/"
PMC = "https://www.ncbi.nlm.nih.gov/pmc/articles/"

# A DOI's suffix may hold almost any character; "/" separates prefix and suffix and stays as it is.
_DOI_SAFE = "/"
_PMID = re.compile(r"^\d{1,9}$")
_PMCID = re.compile(r"^PMC\d{1,9}$", re.IGNORECASE)
# Where a PMC id sits in a record as exported: MEDLINE "PMC - PMC123", RIS notes, or a URL.
_PMCID_IN_TEXT = re.compile(r"\bPMC\d{3,9}\b")


def doi_clean(doi: str) -> str:
    """The bare DOI ("10.…"), without a resolver prefix or "doi:" a source may have left on it."""
    value = (doi or "").strip()
    lowered = value.lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if lowered.startswith(prefix):
            return value[len(prefix):].strip()
    return value


def doi_url(doi: str) -> str:
    value = doi_clean(doi)
    return DOI_RESOLVER + quote(value, safe=_DOI_SAFE) if value.startswith("10.") else ""


def unpaywall_url(doi: str) -> str:
    value = doi_clean(doi)
    return UNPAYWALL + quote(value, safe=_DOI_SAFE) if value.startswith("10.") else ""


def pmid_url(pmid: str) -> str:
    value = (pmid or "").strip()
    return f"{PUBMED}{value}/" if _PMID.match(value) else ""


def pmcid_of(raw: str) -> str:
    """The PubMed Central id found in a record's original text ("PMC1234567"), or ""."""
    found = _PMCID_IN_TEXT.search(raw or "")
    return found.group(0) if found else ""


def pmc_url(pmcid: str) -> str:
    value = (pmcid or "").strip()
    return f"{PMC}{value.upper()}/" if _PMCID.match(value) else ""


def resolver_problem(base: str) -> str | None:
    """Why ``base`` cannot be an OpenURL resolver's address, or None."""
    if not base:
        return None
    if any(ch.isspace() or ord(ch) < 0x20 for ch in base):
        return "The resolver's address may not contain spaces or control characters."
    try:
        parts = urlsplit(base)
    except ValueError:
        return "The resolver's address is not a URL."
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "The resolver's address must start with https:// (or http://) and name a host."
    if parts.fragment:
        return "The resolver's address may not have a #fragment."
    return None


def openurl(base: str, *, doi: str = "", pmid: str = "", title: str = "", journal: str = "", year=None,
            volume: str = "", issue: str = "", pages: str = "", issn: str = "", author: str = "") -> str:
    """An OpenURL 1.0 (Z39.88-2004, key/encoded-value) link to the library's resolver for this
    article; "" when no resolver is set or it is not a web address."""
    if not base or resolver_problem(base):
        return ""
    pairs = [("url_ver", "Z39.88-2004"), ("ctx_ver", "Z39.88-2004"),
             ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"), ("rfr_id", "info:sid/reviewapp")]
    if doi_clean(doi).startswith("10."):
        pairs.append(("rft_id", f"info:doi/{doi_clean(doi)}"))
    if _PMID.match((pmid or "").strip()):
        pairs.append(("rft_id", f"info:pmid/{pmid.strip()}"))
    spage, _, epage = (pages or "").partition("-")
    for key, value in (("rft.atitle", title), ("rft.jtitle", journal), ("rft.date", year), ("rft.volume", volume),
                       ("rft.issue", issue), ("rft.spage", spage), ("rft.epage", epage), ("rft.issn", issn),
                       ("rft.au", author)):
        text = str(value).strip() if value is not None else ""
        if text:
            pairs.append((key, text[:500]))
    joiner = "" if base.endswith(("?", "&")) else ("&" if urlsplit(base).query else "?")
    return base + joiner + urlencode(pairs)


def record_links(*, doi: str = "", pmid: str = "", raw: str | None = None) -> dict[str, str]:
    """A record's identifier links by kind (only those it has); ``raw`` None: PMC unknown."""
    pmcid = pmcid_of(raw) if raw is not None else ""
    links = {"doi": doi_url(doi), "pubmed": pmid_url(pmid), "pmc": pmc_url(pmcid), "unpaywall": unpaywall_url(doi)}
    return {kind: url for kind, url in links.items() if url}
