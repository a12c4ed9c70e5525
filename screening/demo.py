"""The demo review's ten database searches, with SYNTHETIC records, and its screening.

Every record is generated here from a fixed seed, written in the format the database
really exports (RIS, PubMed/MEDLINE tagged text, Web of Science plain text), and
imported through the real import service, so deduplication across databases works
on the demo as it would on real exports. Each abstract opens with a plain statement
that the record is synthetic demo data; DOIs use Crossref's example prefix 10.5555.

The shape follows the review that inspired the project: ten databases, about 5,000
records of which a third are duplicates, most of them plainly off topic (adult
psychotherapy, school-age children, drug trials, animal studies...), a few hundred
that look relevant, and 77 included studies. Each generated report knows its truth
(off topic, excluded at full text for a reason, not retrieved, included), from which
two demo reviewers screen it (see screening.demo_screening). Loading twice changes nothing.
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
# Reports generated (the unique records the searches find between them). With the shares
# below the ten exports hold about 5,000 records, a third of them duplicates.
N_REPORTS = 3400
N_INCLUDED_STUDIES = 77
N_SECOND_REPORTS = 4  # included studies with a second report (a later follow-up paper)
# Reports that look relevant on title and abstract but are excluded at full text, by reason
# (reasons from DEFAULT_EXCLUSION_REASONS), and those whose full text cannot be found.
FULL_TEXT_EXCLUSIONS = {
    "Wrong population": 58, "Wrong intervention": 74, "Wrong comparator": 6, "Wrong outcome": 21,
    "Wrong study design": 69, "Full text not available": 4, "Other": 8,
}
N_NOT_RETRIEVED = 19

# Truths of a generated report.
INCLUDE, SECOND_REPORT, FT_EXCLUDE, NOT_RETRIEVED, OFF_TOPIC = (
    "include", "second_report", "ft_exclude", "not_retrieved", "off_topic")

_INTERVENTIONS = [
    "Parent-infant psychotherapy", "Mother-infant psychoanalytic treatment", "Watch, Wait and Wonder",
    "Mentalization-based parenting programme", "Minding the Baby home visiting", "Child-parent psychotherapy",
    "Psychodynamic group therapy for mothers", "Brief parent-infant psychotherapy",
    "Attachment-based psychodynamic intervention", "Reflective parenting intervention",
    "Mothers and Toddlers Program", "Psychoanalytic observation-informed home visiting",
    "Infant-led psychotherapy", "Under-fives counselling", "Dyadic developmental psychotherapy",
    "New Beginnings group for mothers and babies", "Parent-toddler psychodynamic group",
]
_POPULATIONS = [
    "mothers with postnatal depression", "families referred to infant mental health services",
    "adolescent mothers and their infants", "mothers in prison nurseries", "fathers and their toddlers",
    "parents of preterm infants", "high-risk first-time mothers", "mothers with a history of trauma",
    "toddlers with behavioural problems", "caregivers of children under five in foster care",
    "mothers with substance use problems", "infants with sleeping and feeding problems",
    "refugee mothers and their babies", "parents with borderline personality traits",
]
_OUTCOME_PHRASES = [
    "effects on parent-infant interaction", "effects on parental reflective functioning",
    "outcomes for infant attachment security", "effects on maternal depression and parenting stress",
    "infant social-emotional development", "a follow-up of child behaviour at age three",
    "change in maternal sensitivity", "effects on infant cognitive development",
]
_DESIGNS = [
    "a randomised controlled trial", "a pilot randomised trial", "a non-randomised controlled study",
    "an uncontrolled pre-post study", "a cluster randomised trial", "twelve-month follow-up of a randomised trial",
]
_PLACES = [
    "Sweden", "Norway", "Denmark", "Finland", "England", "Scotland", "Ireland", "the Netherlands", "Germany",
    "France", "Italy", "Spain", "Portugal", "Israel", "Canada", "the United States", "Chile", "Brazil",
    "Australia", "New Zealand", "South Africa", "Japan", "an inner-city clinic", "a rural community",
]
# What makes a relevant-looking report fail at full text, said in its abstract.
_FT_HINTS = {
    "Wrong population": ["Children were aged four to eleven years at entry.",
                         "Most children were of school age; a minority were under five."],
    "Wrong intervention": ["The programme combined cognitive-behavioural and psychoeducational components.",
                           "Sessions followed a behavioural parent-training manual."],
    "Wrong comparator": ["Two doses of the same therapy were compared with each other."],
    "Wrong outcome": ["Only therapist adherence and service costs were reported.",
                      "Outcomes were limited to parents' satisfaction with the service."],
    "Wrong study design": ["This is a single-case report with clinical vignettes.",
                           "Qualitative interviews explored parents' experiences.",
                           "This narrative overview describes the model and its theory."],
    "Full text not available": ["Published as a conference abstract."],
    "Other": ["The report was later retracted by its authors."],
}
# Off-topic reports the searches also return, as real psychodynamic searches do.
_OFF_TOPIC = [
    ("Psychodynamic psychotherapy for adults with {cond}: {design}", [
        "major depression", "generalised anxiety disorder", "panic disorder", "borderline personality disorder",
        "somatic symptom disorder", "chronic pain", "eating disorders", "complicated grief"]),
    ("{treat} versus placebo for {cond}: {design}", [
        "postpartum depression", "adult depression", "bipolar disorder", "insomnia in older adults",
        "attention-deficit/hyperactivity disorder in adolescents", "schizophrenia"]),
    ("School-based {prog} for children aged 7 to 12 with {cond}", [
        "anxiety", "conduct problems", "reading difficulties", "peer victimisation", "obesity"]),
    ("Maternal separation in {animal}: effects on {cond}", [
        "stress reactivity", "hippocampal development", "social behaviour", "HPA-axis function"]),
    ("{prog} for adolescents with {cond} in {place}", [
        "self-harm", "depression", "substance use", "psychosis risk", "school refusal"]),
    ("Transference and countertransference in the analysis of {cond}: {essay}", [
        "a narcissistic patient", "an adult survivor of abuse", "a patient with dementia", "old age"]),
    ("{infant} and {cond} in infants: {design}", [
        "weight gain", "sleep duration", "colic", "language development", "growth"]),
    ("Nurse-led {prog} for older adults with {cond}", [
        "loneliness", "dementia", "heart failure", "depression after stroke"]),
]
_FILL = {
    "treat": ["Sertraline", "Brexanolone", "Zuranolone", "Fluoxetine", "Melatonin", "Methylphenidate",
              "Omega-3 supplementation", "Quetiapine"],
    "prog": ["cognitive-behavioural therapy", "mindfulness training", "group counselling", "peer mentoring",
             "a social skills programme", "family therapy", "an online self-help programme"],
    "animal": ["rat pups", "mice", "rhesus macaques", "prairie voles"],
    "infant": ["Kangaroo care", "Vitamin D supplementation", "Early weaning", "Infant massage", "Baby-led feeding"],
    "essay": ["a clinical essay", "theoretical considerations", "a case discussion", "a historical review"],
    "design": _DESIGNS + ["a cohort study", "a meta-analysis", "a cross-sectional survey"],
}
_SURNAMES = [
    "Andersen", "Baradon", "Cohen", "Dahl", "Eriksson", "Fonagy", "Garcia", "Hansen", "Ibsen", "Jensen",
    "Kowalski", "Lindqvist", "Moreau", "Nielsen", "Olsen", "Pereira", "Quinn", "Rossi", "Salomonsson",
    "Tanaka", "Urban", "Vasquez", "Weiss", "Xu", "Young", "Zeegers", "Barlow", "Sleed", "Steele", "Suchman",
    "Abebe", "Becker", "Costa", "Dubois", "Esposito", "Fischer", "Gonzalez", "Horvath", "Ivanova", "Kim",
    "Laine", "Martins", "Nakamura", "Okafor", "Petrov", "Ramos", "Schmidt", "Takahashi", "Virtanen", "Wang",
]
_GIVEN = ["Anna", "Bjorn", "Clara", "David", "Eva", "Frank", "Grete", "Hanna", "Ingrid", "Jonas", "Karin",
          "Lars", "Maria", "Nils", "Ola", "Petra", "Rosa", "Sofia", "Tove", "Ulla", "Amir", "Chen", "Lucia",
          "Mei", "Pablo", "Yusuf"]
# (full name, MEDLINE abbreviation, ISSN); the first eight publish the relevant reports.
_JOURNALS = [
    ("Infant Mental Health Journal", "Infant Ment Health J", "0163-9641"),
    ("Journal of Child Psychotherapy", "J Child Psychother", "0075-417X"),
    ("Attachment & Human Development", "Attach Hum Dev", "1461-6734"),
    ("Journal of Child Psychology and Psychiatry", "J Child Psychol Psychiatry", "0021-9630"),
    ("Development and Psychopathology", "Dev Psychopathol", "0954-5794"),
    ("Psychoanalytic Psychology", "Psychoanal Psychol", "0736-9735"),
    ("Archives of Women's Mental Health", "Arch Womens Ment Health", "1434-1816"),
    ("Journal of Reproductive and Infant Psychology", "J Reprod Infant Psychol", "0264-6838"),
    ("Psychotherapy Research", "Psychother Res", "1050-3307"),
    ("Journal of Affective Disorders", "J Affect Disord", "0165-0327"),
    ("Psychopharmacology", "Psychopharmacology (Berl)", "0033-3158"),
    ("Journal of School Psychology", "J Sch Psychol", "0022-4405"),
    ("Developmental Psychobiology", "Dev Psychobiol", "0012-1630"),
    ("International Journal of Psychoanalysis", "Int J Psychoanal", "0020-7578"),
    ("Pediatrics", "Pediatrics", "0031-4005"),
    ("Aging & Mental Health", "Aging Ment Health", "1360-7863"),
]
N_RELEVANT_JOURNALS = 8
_KEYWORDS = ["psychodynamic psychotherapy", "parent-infant relations", "mother-child relations", "infant",
             "attachment", "mentalization", "postpartum depression", "early intervention", "home visiting"]
_RESULT_OUTCOMES = ["parent-infant interaction", "parental reflective functioning", "infant attachment",
                    "maternal depression", "parenting stress"]
_OFF_FINDINGS = ["outcomes improved in both groups", "the primary outcome did not differ between groups",
                 "effects were small and short-lived", "findings support further trials"]
_OFF_KEYWORDS = ["psychotherapy", "randomized controlled trial", "adult", "child", "adolescent", "depression",
                 "anxiety", "animal model", "pharmacotherapy", "aged", "schools", "treatment outcome"]


@dataclass
class DemoReport:
    n: int
    truth: str  # INCLUDE, SECOND_REPORT, FT_EXCLUDE, NOT_RETRIEVED or OFF_TOPIC
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
    reason: str = ""  # the full-text exclusion reason of an FT_EXCLUDE report
    first_report: int = 0  # for a SECOND_REPORT: n of the study's first report

    @property
    def key(self) -> tuple[int, int]:
        """(year, first page): unique among the reports, and kept by every export format."""
        return (self.year, self.first_page)


def _truths(rng: random.Random) -> list[tuple[str, str]]:
    """(truth, reason) of every report, in a seeded shuffled order."""
    truths = [(INCLUDE, "")] * N_INCLUDED_STUDIES + [(NOT_RETRIEVED, "")] * N_NOT_RETRIEVED
    for reason, count in FULL_TEXT_EXCLUSIONS.items():
        truths += [(FT_EXCLUDE, reason)] * count
    truths += [(OFF_TOPIC, "")] * (N_REPORTS - N_SECOND_REPORTS - len(truths))
    rng.shuffle(truths)
    return truths


def _relevant_text(rng: random.Random, hint: str) -> tuple[str, str, list[str]]:
    intervention, population = rng.choice(_INTERVENTIONS), rng.choice(_POPULATIONS)
    outcome, design, place = rng.choice(_OUTCOME_PHRASES), rng.choice(_DESIGNS), rng.choice(_PLACES)
    title = rng.choice([
        f"{intervention} for {population} in {place}: {outcome} in {design}",
        f"{outcome.capitalize()} after {intervention.lower()} for {population}: {design}",
        f"Does {intervention.lower()} help {population}? {design.capitalize()} in {place}",
        f"{intervention} with {population}: {design} of {outcome} in {place}",
    ])
    n = rng.randint(18, 260)
    abstract = (f"{SYNTHETIC_NOTE} Background: {population.capitalize()} are at risk of relational difficulties. "
                f"Method: {design.capitalize()} in {place} evaluated {intervention.lower()} with {n} families"
                f"{' against treatment as usual' if 'randomised' in design else ''}. "
                f"{hint + ' ' if hint else ''}"
                f"Results: {rng.choice(['Small', 'Moderate', 'No clear', 'Sustained'])} effects were seen on "
                f"{rng.choice(_RESULT_OUTCOMES)}. "
                "Conclusions: Psychodynamic work with caregivers and children under five deserves further study.")
    return title, abstract, rng.sample(_KEYWORDS, 3)


def _off_topic_text(rng: random.Random) -> tuple[str, str, list[str]]:
    template, conditions = rng.choice(_OFF_TOPIC)
    fill = {k: rng.choice(v) for k, v in _FILL.items()}
    title = template.format(cond=rng.choice(conditions), place=rng.choice(_PLACES), **fill)
    if rng.random() < 0.5 and " in " not in title:
        title += f" in {rng.choice(_PLACES)}"
    title = title[0].upper() + title[1:]
    abstract = (f"{SYNTHETIC_NOTE} This synthetic abstract reports {title[0].lower() + title[1:]}. "
                f"{rng.randint(12, 900)} participants took part; "
                f"{rng.choice(_OFF_FINDINGS)}.")
    return title, abstract, rng.sample(_OFF_KEYWORDS, 3)


def demo_reports() -> list[DemoReport]:
    rng = random.Random(SEED)
    taken: set[tuple[int, int]] = set()
    reports: list[DemoReport] = []

    def make(truth: str, reason: str = "", first: DemoReport | None = None) -> DemoReport:
        n = len(reports) + 1
        relevant = truth != OFF_TOPIC
        if relevant:
            hint = rng.choice(_FT_HINTS[reason]) if reason else ""
            title, abstract, keywords = _relevant_text(rng, hint)
            journal = rng.randrange(N_RELEVANT_JOURNALS)
        else:
            title, abstract, keywords = _off_topic_text(rng)
            journal = rng.randrange(N_RELEVANT_JOURNALS, len(_JOURNALS))
        authors = [(rng.choice(_SURNAMES), rng.choice(_GIVEN)) for _ in range(rng.randint(1, 6))]
        year = rng.randint(1990, 2021)
        if first is not None:  # a later paper on the same trial, by the same first author
            title = f"{first.title.split(':')[0].split('?')[0]}: long-term follow-up of {rng.choice(_OUTCOME_PHRASES)}"
            authors = [first.authors[0]] + authors[1:]
            year = min(2021, first.year + rng.randint(1, 4))
        first_page = rng.randint(1, 900)
        while (year, first_page) in taken:
            first_page += 1
        taken.add((year, first_page))
        report = DemoReport(
            n=n, truth=truth, title=title, authors=authors, year=year, journal=journal,
            volume=str(max(1, year - 1979)), issue=str(rng.randint(1, 6)), first_page=first_page,
            last_page=first_page + rng.randint(5, 20), doi=f"10.5555/demo.{year}.{n:05d}",
            pmid=f"{99000000 + n}", abstract=abstract, keywords=keywords, reason=reason,
            first_report=first.n if first else 0)
        reports.append(report)
        return report

    for truth, reason in _truths(rng):
        make(truth, reason)
    firsts = sorted(rng.sample([r for r in reports if r.truth == INCLUDE], N_SECOND_REPORTS), key=lambda r: r.n)
    for first in firsts:
        make(SECOND_REPORT, first=first)
    return reports


@dataclass(frozen=True)
class DemoSearch:
    database: str
    platform: str
    date_run: datetime.date
    fmt: str  # the format the database exports: ris, medline or wos
    share: float  # the fraction of the generated reports this database finds
    query: str
    limits: str = "Published 1990 to 30 September 2021"
    extra_hits: int = 0  # hits the database reported beyond what it let us export


_Q_CORE = ("(psychodynamic OR psychoanalytic* OR \"parent-infant psychotherap*\" OR \"mother-infant psychotherap*\" "
           "OR mentali?ation) AND (infant* OR baby OR babies OR toddler* OR preschool* OR \"child* under five\")")
DEMO_SEARCHES = [
    DemoSearch("CINAHL", "EBSCOhost", datetime.date(2021, 9, 27), "ris", 0.08,
               f"S1 (MH \"Psychotherapy, Psychodynamic\") OR TI ({_Q_CORE}) OR AB ({_Q_CORE})"),
    DemoSearch("EMBASE", "Ovid", datetime.date(2021, 9, 28), "ris", 0.21,
               f"1. exp psychodynamic psychotherapy/\n2. ({_Q_CORE}).ti,ab.\n3. 1 or 2\n"
               "4. limit 3 to yr=\"1990 -Current\""),
    DemoSearch("PsycINFO", "Ovid", datetime.date(2021, 9, 28), "ris", 0.24,
               f"1. exp Psychodynamic Psychotherapy/\n2. ({_Q_CORE}).ti,ab,id.\n3. 1 or 2"),
    DemoSearch("Scopus", "Scopus", datetime.date(2021, 9, 29), "ris", 0.19,
               f"TITLE-ABS-KEY({_Q_CORE}) AND PUBYEAR > 1989", extra_hits=3),
    DemoSearch("Web of Science", "Web of Science", datetime.date(2021, 9, 29), "wos", 0.11,
               f"TS=({_Q_CORE}) Indexes=SCI-EXPANDED, SSCI Timespan=1990-2021"),
    DemoSearch("MEDLINE", "Ovid", datetime.date(2021, 9, 30), "medline", 0.13,
               f"1. exp Psychoanalytic Therapy/\n2. ({_Q_CORE}).ti,ab.\n3. 1 or 2\n4. limit 3 to yr=\"1990 - 2021\""),
    DemoSearch("PubMed", "PubMed", datetime.date(2021, 9, 30), "medline", 0.12,
               f"(\"Psychoanalytic Therapy\"[Mesh] OR {_Q_CORE}) AND (\"1990/01/01\"[dp] : \"2021/09/30\"[dp])"),
    DemoSearch("Science Citation Index", "Web of Science", datetime.date(2021, 9, 30), "wos", 0.04,
               f"TS=({_Q_CORE}) Indexes=SCI-EXPANDED Timespan=1990-2021"),
    DemoSearch("Sociological Abstracts", "ProQuest", datetime.date(2021, 9, 30), "ris", 0.03,
               f"noft({_Q_CORE})"),
    DemoSearch("Cochrane Library", "Wiley", datetime.date(2021, 9, 30), "ris", 0.05,
               f"#1 MeSH descriptor: [Psychoanalytic Therapy] explode all trees\n#2 ({_Q_CORE}):ti,ab,kw\n#3 #1 OR #2",
               limits="Trials; publication date 1990 to 30 September 2021"),
]


def _found_by() -> dict[str, list[int]]:
    """Which reports (their n) each database finds: a seeded share each, and every report by one at least."""
    reports = demo_reports()
    found: dict[str, set[int]] = {}
    for spec in DEMO_SEARCHES:
        rng = random.Random(f"{SEED}-{spec.database}-found")
        found[spec.database] = {r.n for r in rng.sample(reports, round(spec.share * len(reports)))}
    rng = random.Random(f"{SEED}-found")
    names, weights = [s.database for s in DEMO_SEARCHES], [s.share for s in DEMO_SEARCHES]
    for r in reports:
        if not any(r.n in found[name] for name in names):
            found[rng.choices(names, weights)[0]].add(r.n)
    return {name: sorted(ns) for name, ns in found.items()}


def _variant(study: DemoReport, spec: DemoSearch, rng: random.Random) -> dict:
    """The report as this database indexes it: the small differences real exports show."""
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


def _ris(study: DemoReport, v: dict, spec: DemoSearch) -> str:
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


def _medline(study: DemoReport, v: dict, spec: DemoSearch) -> str:
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


def _wos(study: DemoReport, v: dict, spec: DemoSearch) -> str:
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


def demo_export(spec: DemoSearch, reports: list[DemoReport] | None = None,
                found: dict[str, list[int]] | None = None) -> tuple[str, bytes, int]:
    """(file name, file content, records in it) of one database's synthetic export."""
    reports = reports or demo_reports()
    found = found or _found_by()
    rng = random.Random(f"{SEED}-{spec.database}")
    chosen = [reports[n - 1] for n in found[spec.database]]
    writer = {"ris": _ris, "medline": _medline, "wos": _wos}[spec.fmt]
    bodies = [writer(r, _variant(r, spec, rng), spec) for r in chosen]
    slug = spec.database.lower().replace(" ", "-")
    if spec.fmt == "wos":
        text = "FN Clarivate Analytics Web of Science\nVR 1.0\n" + "\n".join(bodies) + "\nEF\n"
        return f"{slug}-savedrecs.txt", text.encode(), len(chosen)
    if spec.fmt == "medline":
        return f"{slug}-export.nbib", ("\n" + "\n".join(bodies)).encode(), len(chosen)
    return f"{slug}-export.ris", "\n".join(bodies).encode(), len(chosen)


def demo_searches_load(*, review, lead) -> None:
    """Record the ten searches and import their synthetic exports; what exists already is left alone."""
    reports, found = demo_reports(), _found_by()
    for spec in DEMO_SEARCHES:
        search = Search.objects.filter(review=review, database=spec.database, date_run=spec.date_run).first()
        filename, content, count = demo_export(spec, reports, found)
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
