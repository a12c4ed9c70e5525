"""The demo review's ten database searches, with SYNTHETIC records.

Every record is generated here from a fixed seed, written in the format the database
really exports (RIS, PubMed/MEDLINE tagged text, Web of Science plain text), and
imported through the real import service, so deduplication across databases works
on the demo as it would on real exports. Each abstract opens with a plain statement
that the record is synthetic demo data; DOIs use Crossref's example prefix 10.5555.
Loading twice changes nothing.
"""
from __future__ import annotations

import datetime
import random
import textwrap
from dataclasses import dataclass, field

from django.db import transaction

from . import services
from .models import Search, SearchFile

SEED = 20210930
SYNTHETIC_NOTE = "[SYNTHETIC DEMO RECORD - not a real study; generated for trying the review manager.]"
N_STUDIES = 170

_INTERVENTIONS = [
    "Parent-infant psychotherapy", "Mother-infant psychoanalytic treatment", "Watch, Wait and Wonder",
    "Mentalization-based parenting programme", "Minding the Baby home visiting", "Child-parent psychotherapy",
    "Psychodynamic group therapy for mothers", "Brief parent-infant psychotherapy",
    "Attachment-based psychodynamic intervention", "Reflective parenting intervention",
]
_POPULATIONS = [
    "mothers with postnatal depression", "families referred to infant mental health services",
    "adolescent mothers and their infants", "mothers in prison nurseries", "fathers and their toddlers",
    "parents of preterm infants", "high-risk first-time mothers", "mothers with a history of trauma",
    "toddlers with behavioural problems", "caregivers of children under five in foster care",
]
_OUTCOME_PHRASES = [
    "effects on parent-infant interaction", "effects on parental reflective functioning",
    "outcomes for infant attachment security", "effects on maternal depression and parenting stress",
    "infant social-emotional development", "a follow-up of child behaviour at age three",
]
_DESIGNS = [
    "a randomised controlled trial", "a pilot randomised trial", "a non-randomised controlled study",
    "an uncontrolled pre-post study", "a cluster randomised trial", "twelve-month follow-up of a randomised trial",
]
_SURNAMES = [
    "Andersen", "Baradon", "Cohen", "Dahl", "Eriksson", "Fonagy", "Garcia", "Hansen", "Ibsen", "Jensen",
    "Kowalski", "Lindqvist", "Moreau", "Nielsen", "Olsen", "Pereira", "Quinn", "Rossi", "Salomonsson",
    "Tanaka", "Urban", "Vasquez", "Weiss", "Xu", "Young", "Zeegers", "Barlow", "Sleed", "Steele", "Suchman",
]
_GIVEN = ["Anna", "Bjorn", "Clara", "David", "Eva", "Frank", "Grete", "Hanna", "Ingrid", "Jonas", "Karin",
          "Lars", "Maria", "Nils", "Ola", "Petra", "Rosa", "Sofia", "Tove", "Ulla"]
# (full name, MEDLINE abbreviation, ISSN)
_JOURNALS = [
    ("Infant Mental Health Journal", "Infant Ment Health J", "0163-9641"),
    ("Journal of Child Psychotherapy", "J Child Psychother", "0075-417X"),
    ("Attachment & Human Development", "Attach Hum Dev", "1461-6734"),
    ("Journal of Child Psychology and Psychiatry", "J Child Psychol Psychiatry", "0021-9630"),
    ("Development and Psychopathology", "Dev Psychopathol", "0954-5794"),
    ("Psychoanalytic Psychology", "Psychoanal Psychol", "0736-9735"),
    ("Archives of Women's Mental Health", "Arch Womens Ment Health", "1434-1816"),
    ("Journal of Reproductive and Infant Psychology", "J Reprod Infant Psychol", "0264-6838"),
]
_KEYWORDS = ["psychodynamic psychotherapy", "parent-infant relations", "mother-child relations", "infant",
             "attachment", "mentalization", "postpartum depression", "early intervention", "home visiting"]


@dataclass
class Study:
    n: int
    title: str
    authors: list[tuple[str, str]]  # (surname, given name)
    year: int
    journal: int
    volume: str
    issue: str
    first_page: int
    last_page: int
    doi: str
    pmid: str
    abstract: str
    keywords: list[str] = field(default_factory=list)


def _studies() -> list[Study]:
    rng = random.Random(SEED)
    studies = []
    for n in range(1, N_STUDIES + 1):
        intervention = rng.choice(_INTERVENTIONS)
        title = (f"{intervention} for {rng.choice(_POPULATIONS)}: {rng.choice(_OUTCOME_PHRASES)} "
                 f"in {rng.choice(_DESIGNS)}")
        year = rng.randint(1990, 2021)
        first = rng.randint(1, 600)
        authors = [(rng.choice(_SURNAMES), rng.choice(_GIVEN)) for _ in range(rng.randint(1, 5))]
        studies.append(Study(
            n=n, title=title, authors=authors, year=year, journal=rng.randrange(len(_JOURNALS)),
            volume=str(max(1, year - 1979)), issue=str(rng.randint(1, 6)), first_page=first,
            last_page=first + rng.randint(5, 20), doi=f"10.5555/demo.pip.{year}.{n:04d}",
            pmid=f"{99000000 + n}",
            abstract=(f"{SYNTHETIC_NOTE} This synthetic abstract describes {intervention.lower()} "
                      f"evaluated with {rng.randint(20, 240)} families. Outcomes included parent-infant "
                      "interaction, parental reflective functioning and infant attachment."),
            keywords=rng.sample(_KEYWORDS, 3),
        ))
    return studies


@dataclass(frozen=True)
class DemoSearch:
    database: str
    platform: str
    date_run: datetime.date
    fmt: str  # the format the database exports: ris, medline or wos
    share: float  # the fraction of the synthetic studies this database finds
    query: str
    limits: str = "Published 1990 to 30 September 2021"
    extra_hits: int = 0  # hits the database reported beyond what it let us export


_Q_CORE = ("(psychodynamic OR psychoanalytic* OR \"parent-infant psychotherap*\" OR \"mother-infant psychotherap*\" "
           "OR mentali?ation) AND (infant* OR baby OR babies OR toddler* OR preschool* OR \"child* under five\")")
DEMO_SEARCHES = [
    DemoSearch("CINAHL", "EBSCOhost", datetime.date(2021, 9, 27), "ris", 0.22,
               f"S1 (MH \"Psychotherapy, Psychodynamic\") OR TI ({_Q_CORE}) OR AB ({_Q_CORE})"),
    DemoSearch("EMBASE", "Ovid", datetime.date(2021, 9, 28), "ris", 0.40,
               f"1. exp psychodynamic psychotherapy/\n2. ({_Q_CORE}).ti,ab.\n3. 1 or 2\n4. limit 3 to yr=\"1990 -Current\""),
    DemoSearch("PsycINFO", "Ovid", datetime.date(2021, 9, 28), "ris", 0.45,
               f"1. exp Psychodynamic Psychotherapy/\n2. ({_Q_CORE}).ti,ab,id.\n3. 1 or 2"),
    DemoSearch("Scopus", "Scopus", datetime.date(2021, 9, 29), "ris", 0.38,
               f"TITLE-ABS-KEY({_Q_CORE}) AND PUBYEAR > 1989", extra_hits=3),
    DemoSearch("Web of Science", "Web of Science", datetime.date(2021, 9, 29), "wos", 0.30,
               f"TS=({_Q_CORE}) Indexes=SCI-EXPANDED, SSCI Timespan=1990-2021"),
    DemoSearch("MEDLINE", "Ovid", datetime.date(2021, 9, 30), "medline", 0.30,
               f"1. exp Psychoanalytic Therapy/\n2. ({_Q_CORE}).ti,ab.\n3. 1 or 2\n4. limit 3 to yr=\"1990 - 2021\""),
    DemoSearch("PubMed", "PubMed", datetime.date(2021, 9, 30), "medline", 0.28,
               f"(\"Psychoanalytic Therapy\"[Mesh] OR {_Q_CORE}) AND (\"1990/01/01\"[dp] : \"2021/09/30\"[dp])"),
    DemoSearch("Science Citation Index", "Web of Science", datetime.date(2021, 9, 30), "wos", 0.12,
               f"TS=({_Q_CORE}) Indexes=SCI-EXPANDED Timespan=1990-2021"),
    DemoSearch("Sociological Abstracts", "ProQuest", datetime.date(2021, 9, 30), "ris", 0.08,
               f"noft({_Q_CORE})"),
    DemoSearch("Cochrane Library", "Wiley (Cochrane Library)", datetime.date(2021, 9, 30), "ris", 0.12,
               f"#1 MeSH descriptor: [Psychoanalytic Therapy] explode all trees\n#2 ({_Q_CORE}):ti,ab,kw\n#3 #1 OR #2",
               limits="Trials; publication date 1990 to 30 September 2021"),
]


def _variant(study: Study, spec: DemoSearch, rng: random.Random) -> dict:
    """The study as this database indexes it: the small differences real exports show."""
    title = study.title
    if spec.database == "PsycINFO" and rng.random() < 0.3:
        title = title.replace(":", " -", 1)
    if spec.fmt == "medline" and rng.random() < 0.15:
        title = f"{title} [Review]" if rng.random() < 0.5 else title + "."
    if rng.random() < 0.04:  # an indexing typo
        words = title.split()
        i = rng.randrange(len(words))
        if len(words[i]) > 5:
            words[i] = words[i][:2] + words[i][3] + words[i][2] + words[i][4:]
        title = " ".join(words)
    drop_doi = spec.database in ("CINAHL", "Sociological Abstracts") and rng.random() < 0.5
    return {"title": title, "doi": "" if drop_doi else study.doi,
            "pmid": study.pmid if spec.fmt == "medline" or spec.database == "EMBASE" else ""}


def _ris(study: Study, v: dict, spec: DemoSearch) -> str:
    journal = _JOURNALS[study.journal]
    lines = ["TY  - JOUR", f"TI  - {v['title']}"]
    lines += [f"AU  - {s}, {g}" for s, g in study.authors]
    lines += [f"PY  - {study.year}", f"T2  - {journal[0]}", f"SN  - {journal[2]}", f"VL  - {study.volume}",
              f"IS  - {study.issue}", f"SP  - {study.first_page}", f"EP  - {study.last_page}"]
    if v["doi"]:
        lines.append(f"DO  - {v['doi']}")
    if v["pmid"]:
        lines.append(f"C5  - {v['pmid']}")
    lines.append(f"AB  - {study.abstract}")
    lines += [f"KW  - {k}" for k in study.keywords]
    lines += ["LA  - English", f"DB  - {spec.database}", f"DP  - {spec.platform}", f"N1  - {SYNTHETIC_NOTE}",
              "ER  - "]
    return "\n".join(lines) + "\n"


def _wrap(tag: str, value: str) -> list[str]:
    pieces = textwrap.wrap(value, 82) or [""]
    return [f"{tag:<4}- {pieces[0]}"] + [f"      {p}" for p in pieces[1:]]


def _medline(study: Study, v: dict, spec: DemoSearch) -> str:
    journal = _JOURNALS[study.journal]
    lines = [f"PMID- {study.pmid}", "OWN - NLM", "STAT- MEDLINE", f"IS  - {journal[2]} (Print)",
             f"VI  - {study.volume}", f"IP  - {study.issue}", f"DP  - {study.year}"]
    lines += _wrap("TI", v["title"])
    lines += [f"PG  - {study.first_page}-{study.last_page}"]
    if v["doi"]:
        lines.append(f"LID - {v['doi']} [doi]")
    lines += _wrap("AB", study.abstract)
    for surname, given in study.authors:
        lines += [f"FAU - {surname}, {given}", f"AU  - {surname} {given[0]}"]
    lines += ["LA  - eng", "PT  - Journal Article", f"TA  - {journal[1]}", f"JT  - {journal[0]}"]
    lines += [f"OT  - {k}" for k in study.keywords]
    if v["doi"]:
        lines.append(f"AID - {v['doi']} [doi]")
    lines += _wrap("GN", SYNTHETIC_NOTE)
    return "\n".join(lines) + "\n"


def _wos(study: Study, v: dict, spec: DemoSearch) -> str:
    journal = _JOURNALS[study.journal]
    lines = ["PT J"]
    lines += [("AU " if i == 0 else "   ") + f"{s}, {g[0]}" for i, (s, g) in enumerate(study.authors)]
    lines += [("AF " if i == 0 else "   ") + f"{s}, {g}" for i, (s, g) in enumerate(study.authors)]
    lines += [f"TI {v['title']}", f"SO {journal[0].upper()}", "LA English", "DT Article",
              f"DE {'; '.join(study.keywords)}", f"AB {study.abstract}", f"SN {journal[2]}",
              f"PY {study.year}", f"VL {study.volume}", f"IS {study.issue}", f"BP {study.first_page}",
              f"EP {study.last_page}"]
    if v["doi"]:
        lines.append(f"DI {v['doi']}")
    lines += [f"UT WOS:{900000000000000 + study.n * 7919:015d}", "ER"]
    return "\n".join(lines) + "\n"


def demo_export(spec: DemoSearch, studies: list[Study] | None = None) -> tuple[str, bytes, int]:
    """(file name, file content, records in it) of one database's synthetic export."""
    studies = studies or _studies()
    rng = random.Random(f"{SEED}-{spec.database}")
    found = sorted(rng.sample(studies, round(spec.share * len(studies))), key=lambda s: s.n)
    writer = {"ris": _ris, "medline": _medline, "wos": _wos}[spec.fmt]
    bodies = [writer(s, _variant(s, spec, rng), spec) for s in found]
    slug = spec.database.lower().replace(" ", "-")
    if spec.fmt == "wos":
        text = "FN Clarivate Analytics Web of Science\nVR 1.0\n" + "\n".join(bodies) + "\nEF\n"
        return f"{slug}-savedrecs.txt", text.encode(), len(found)
    if spec.fmt == "medline":
        return f"{slug}-export.nbib", ("\n" + "\n".join(bodies)).encode(), len(found)
    return f"{slug}-export.ris", "\n".join(bodies).encode(), len(found)


def demo_searches_load(*, review, lead) -> None:
    """Record the ten searches and import their synthetic exports; what exists already is left alone."""
    studies = _studies()
    for spec in DEMO_SEARCHES:
        search = Search.objects.filter(review=review, database=spec.database, date_run=spec.date_run).first()
        filename, content, count = demo_export(spec, studies)
        if search is None:
            search = services.search_create(
                actor=lead, review=review, database=spec.database, platform=spec.platform, date_run=spec.date_run,
                query=spec.query, limits=spec.limits, reported_hits=count + spec.extra_hits,
                notes="Synthetic demo search: the records it found are generated, not real.")
        if search.files.filter(status=SearchFile.Status.DONE).exists():
            continue
        pending = search.files.exclude(status=SearchFile.Status.DONE).first()
        if pending is None:
            with transaction.atomic():
                pending = services.search_file_create(actor=lead, search=search, upload=content, filename=filename,
                                                      requested_format=spec.fmt, enqueue=False)
        services.search_file_import(search_file_id=pending.pk)
