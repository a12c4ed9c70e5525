"""Reads of the extraction app: forms, each study's extraction status, comparisons and effects."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404

from reviewapp.selectors import outcome_directions
from screening.models import Study, StudyDesign

from . import definition as defs
from . import outcome_data, rules
from . import outcome_names as names
from .answers_schema import answers_schema
from .models import DesignMapping, Entry, Extraction, FormTemplate

Status = Extraction.Status


def templates_list(*, review, kind: str | None = None):
    qs = review.form_templates.prefetch_related("versions")
    return qs.filter(kind=kind) if kind else qs


def template_get(*, review, template_id: int) -> FormTemplate:
    """An extraction form of the review (appraisal tools have their own pages)."""
    template = FormTemplate.objects.filter(review=review, pk=template_id, kind=FormTemplate.Kind.EXTRACTION).first()
    if template is None:
        raise Http404("No such form.")
    return template


def extraction_template(*, review) -> FormTemplate | None:
    """The form studies are extracted on: the review's first published extraction form."""
    for template in templates_list(review=review, kind=FormTemplate.Kind.EXTRACTION):
        if template.current_version is not None:
            return template
    return None


def study_get(*, review, study_id: int) -> Study:
    study = Study.objects.filter(review=review, pk=study_id).first()
    if study is None:
        raise Http404("No such study.")
    return study


def extraction_get(*, template: FormTemplate, study: Study, target: str = "") -> Extraction | None:
    return (Extraction.objects.filter(template=template, study=study, target=target)
            .select_related("version", "study", "template").first())


def entry_of(*, extraction: Extraction | None, user) -> Entry | None:
    if extraction is None:
        return None
    return extraction.entries.filter(user=user).select_related("version").first()


@dataclass
class StudyRow:
    study: Study
    status: str
    entries: int = 0
    done: int = 0
    mine: Entry | None = None
    extraction: Extraction | None = None

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def open_for(self) -> bool:
        """Whether a person without an entry here could still take a place."""
        return self.status != Status.DONE and self.entries < rules.ENTRIES_PER_STUDY


def study_rows(*, review, template: FormTemplate | None, user) -> list[StudyRow]:
    studies = list(Study.objects.filter(review=review).order_by("label", "id"))
    if template is None:
        return [StudyRow(study=s, status=Status.NOT_STARTED) for s in studies]
    extractions = {e.study_id: e for e in Extraction.objects.filter(template=template, target="")
                   .select_related("template").prefetch_related("entries")}
    rows = []
    for study in studies:
        extraction = extractions.get(study.pk)
        if extraction is None:
            rows.append(StudyRow(study=study, status=Status.NOT_STARTED))
            continue
        entries = list(extraction.entries.all())
        rows.append(StudyRow(study=study, status=extraction.status, entries=len(entries),
                             done=sum(e.done for e in entries), extraction=extraction,
                             mine=next((e for e in entries if e.user_id == user.pk), None)))
    return rows


@dataclass
class Progress:
    total: int
    by_status: Counter
    to_extract_for_me: int  # studies this person could start or has not finished
    to_settle: int

    def count(self, status: str) -> int:
        return self.by_status.get(status, 0)


def progress(*, review, template: FormTemplate | None, user) -> Progress:
    rows = study_rows(review=review, template=template, user=user)
    mine = sum(1 for r in rows if (r.mine is not None and not r.mine.done and r.status != Status.DONE)
               or (r.mine is None and r.open_for))
    return Progress(total=len(rows), by_status=Counter(r.status for r in rows), to_extract_for_me=mine,
                    to_settle=sum(1 for r in rows if r.status == Status.AWAITING_CONSENSUS))


# -- comparison --------------------------------------------------------------------

@dataclass
class CompareRow:
    path: str
    section: str
    label: str
    a: Any
    b: Any
    differs: bool
    field: dict
    settled: Any = None
    is_settled: bool = False
    note: str = ""
    derived: bool = False  # filled by an algorithm from the other answers, not settled itself

    @property
    def a_text(self) -> str:
        return defs.display(self.a, self.field)

    @property
    def b_text(self) -> str:
        return defs.display(self.b, self.field)

    @property
    def settled_text(self) -> str:
        return defs.display(self.settled, self.field)

    @property
    def other_choices(self) -> list[str]:
        """The choices of a single-choice field with a fixed list, for the "another value" box:
        the settler picks from what the entry form offers (outcome names come from the protocol and
        countries are a long list, so those keep a text box)."""
        if self.field["type"] == "ynu" or (self.field["type"] == "single" and not self.field.get("choices_from")):
            return defs.field_choices(self.field)
        return []


def comparison(*, extraction: Extraction) -> tuple[list[Entry], list[CompareRow]]:
    """Every field of the form with both entries' values, in the form's order."""
    entries = list(extraction.entries.select_related("user").order_by("id"))
    definition = extraction.version.definition
    flats = [defs.flatten(definition, e.answers) for e in entries] + [{}, {}]
    fa, fb = flats[0], flats[1]
    settled = {s.path: s for s in extraction.settlements.all()}
    derived = defs.derived_paths(definition)
    rows = []
    for section in defs.sections(definition):
        if section.get("repeat"):
            n = max(len(e.answers.get(section["key"]) or []) for e in entries) if entries else 0
            paths = [(f"{section['key']}[{i}].{f['key']}", f) for i in range(n) for f in section["fields"]]
        else:
            paths = [(f["key"], f) for f in section["fields"]]
        for path, field_def in paths:
            a, b = fa.get(path), fb.get(path)
            s = settled.get(path)
            differs = not defs.same_value(a, b)
            rows.append(CompareRow(path=path, section=section["title"], label=defs.path_label(definition, path),
                                   a=a, b=b, differs=differs, field=field_def,
                                   settled=s.value if s else None, is_settled=bool(s) and differs,
                                   note=s.note if s else "", derived=path in derived))
    return entries, rows


# -- outcome names that no outcome has ------------------------------------------------

@dataclass
class UnknownOutcome:
    name: str
    studies: list[str]  # labels of the studies whose answers (an entry or the consensus) use it


def unknown_outcome_names(*, review) -> list[UnknownOutcome]:
    """Outcome names in stored answers that no outcome of the protocol has (e.g. written before
    renames were carried, or brought by an archive): analyses do not find these rows. The lead
    renames an outcome to the name, or corrects the rows."""
    # Exactly as analyses match rows to outcomes: "parental depression" is not "Parental depression" there.
    known = set(review.outcomes.values_list("name", flat=True))
    found: dict[str, set[str]] = {}
    extractions = (Extraction.objects.filter(review=review, target="").select_related("version", "study")
                   .prefetch_related("entries__version"))
    for extraction in extractions:
        stored = [(extraction.version.definition, extraction.consensus)]
        stored += [(e.version.definition, e.answers) for e in extraction.entries.all()]
        for definition, answers in stored:
            for name in names.names_in_answers(definition, answers):
                if name not in known:
                    found.setdefault(name, set()).add(extraction.study.label)
    return [UnknownOutcome(name=n, studies=sorted(found[n])) for n in sorted(found, key=str.casefold)]


# -- effects -----------------------------------------------------------------------

@dataclass
class OutcomeEffects:
    outcome: str
    higher_favours: bool
    effects: list[outcome_data.Effect] = field(default_factory=list)


def effects_of(*, review, answers: dict | None) -> list[OutcomeEffects]:
    """The harmonised effect of every outcome data row, grouped by the review's outcomes in order."""
    directions = outcome_directions(review=review)
    groups = {name: OutcomeEffects(outcome=name, higher_favours=up) for name, up in directions.items()}
    for row in (answers or {}).get(outcome_data.SECTION_KEY) or []:
        name = row.get("outcome", "")
        if name not in groups:
            groups[name] = OutcomeEffects(outcome=name or "(no outcome)", higher_favours=True)
        group = groups[name]
        group.effects.append(outcome_data.row_effect(row, higher_favours_intervention=group.higher_favours))
    return [g for g in groups.values() if g.effects]


def consensus_rows(*, template: FormTemplate):
    """(study, consensus answers, definition) of every study whose consensus is final."""
    for extraction in (Extraction.objects.filter(template=template, status=Status.DONE, target="")
                       .select_related("study", "version").order_by("study__label", "study_id")):
        yield extraction.study, extraction.consensus or {}, extraction.version.definition


# -- risk of bias, for analyses ------------------------------------------------------

def risk_of_bias_overall(*, review) -> dict[tuple[int, str], str]:
    """(study id, outcome name) -> the final consensus overall risk-of-bias judgement, lower case:
    "low", "some concerns", "high" (RoB 2, per result); "low", "moderate", "serious", "critical",
    "no information" (ROBINS-I); or a custom tool's scale word. Study-level appraisals (ROBINS-I and
    the checklists as set up here) have the outcome name "": look up (study, outcome) first, then
    (study, ""). Several appraisals of one key: the most severe."""
    from .appraisal import selectors as appraisal_selectors

    return appraisal_selectors.risk_of_bias_overall(review=review)


def risk_of_bias_verdicts(*, review):
    """(study id, outcome name) -> RiskVerdict(judgement, high): high as the tool's scale says
    (appraisal.tools.high_risk_levels), for the analyses' sensitivity analyses."""
    from .appraisal import selectors as appraisal_selectors

    return appraisal_selectors.risk_of_bias_verdicts(review=review)


# -- for the API -------------------------------------------------------------------

def extractions_list(*, review, kind: str = FormTemplate.Kind.EXTRACTION):
    """The review's extractions (or appraisals) of one kind, with their entries and people."""
    from django.db.models import Prefetch

    return (Extraction.objects.filter(review=review, template__kind=kind)
            .select_related("template", "study", "version", "finalised_by")
            .prefetch_related(Prefetch("entries", queryset=Entry.objects.select_related("user", "version")
                                       .order_by("id"))))


def extraction_by_id(*, review, extraction_id: int, kind: str = FormTemplate.Kind.EXTRACTION) -> Extraction:
    extraction = extractions_list(review=review, kind=kind).filter(pk=extraction_id).first()
    if extraction is None:
        raise Http404("No such extraction." if kind == FormTemplate.Kind.EXTRACTION else "No such appraisal.")
    return extraction


def form_version_get(*, template: FormTemplate, number: int):
    version = template.versions.filter(number=number).select_related("published_by").first()
    if version is None:
        raise Http404("No such version of the form.")
    return version


def form_version_answers_schema(*, template: FormTemplate, number: int) -> dict:
    """The JSON Schema of the answers of one published version (`answers_schema`)."""
    version = form_version_get(template=template, number=number)
    return answers_schema(definition=version.definition,
                          outcome_names=list(template.review.outcomes.values_list("name", flat=True)),
                          title=f"Answers of “{template.name}”, version {version.number}")


@dataclass
class OutcomeDataRow:
    study: Study
    design: str
    row: int  # its place among the study's outcome data rows, from 0
    values: dict
    effect: outcome_data.Effect


def outcome_data_rows(*, review, outcome: str | None = None, study_id: int | None = None) -> list[OutcomeDataRow]:
    """Every outcome data row of the final consensus of each study (what analyses pool), with its
    harmonised effect; optionally of one outcome (by name) or one study."""
    template = extraction_template(review=review)
    if template is None:
        return []
    directions = outcome_directions(review=review)
    designs = design_source(review=review)
    out = []
    for study, answers, _definition in consensus_rows(template=template):
        if study_id is not None and study.pk != study_id:
            continue
        for i, row in enumerate(answers.get(outcome_data.SECTION_KEY) or []):
            if outcome is not None and row.get("outcome") != outcome:
                continue
            effect = outcome_data.row_effect(row, higher_favours_intervention=directions.get(row.get("outcome"), True))
            out.append(OutcomeDataRow(study=study, design=designs.design_of(study, answers)[0], row=i, values=row,
                                      effect=effect))
    return out


# -- description of the included studies --------------------------------------------

@dataclass
class Described:
    """The included studies with a final consensus, what the summaries describe, and the others."""

    studies: list  # summaries.StudyAnswers, in label order
    fields: list  # summaries.SummaryField
    outcome_names: list[str]
    without_consensus: list[Study]
    template: FormTemplate | None


def described_studies(*, review) -> Described:
    """Each included study's final consensus on the extraction form (one set of answers per study,
    however many reports it has); studies still without one are listed, not counted."""
    from . import summaries

    template = extraction_template(review=review)
    outcome_names = list(review.outcomes.values_list("name", flat=True))
    if template is None:
        return Described(studies=[], fields=[], outcome_names=outcome_names,
                         without_consensus=list(Study.objects.filter(review=review).order_by("label", "id")),
                         template=None)
    studies = [summaries.StudyAnswers(study_id=s.pk, label=s.label, answers=answers)
               for s, answers, _ in consensus_rows(template=template)]
    done = {s.study_id for s in studies}
    others = [s for s in Study.objects.filter(review=review).order_by("label", "id") if s.pk not in done]
    return Described(studies=studies, fields=summaries.summary_fields(template.current_version.definition,
                                                                      outcome_names),
                     outcome_names=outcome_names, without_consensus=others, template=template)


def summary_field_get(described: Described, key: str):
    """The summary field of that key, or None."""
    return next((f for f in described.fields if f.key == key), None)


@dataclass
class CharacteristicsTable:
    layout: dict[str, list[str]]
    items: list  # characteristics.Item: what a column can hold
    rows: list  # characteristics.Row, in study label order
    stored: bool  # False while the default layout is in use
    without_consensus: list[Study]
    template: FormTemplate | None


def characteristics_layout(*, review, definition: dict) -> tuple[dict[str, list[str]], bool]:
    """(the lead's layout, True) with items the form no longer has left out, or (the default, False)."""
    from . import characteristics
    from .models import CharacteristicsLayout

    stored = CharacteristicsLayout.objects.filter(review=review).first()
    if stored is None:
        return characteristics.default_layout(definition), False
    known = {item.key for item in characteristics.items(definition)}
    return {column: [k for k in (stored.columns or {}).get(column, []) if k in known]
            for column in characteristics.COLUMNS}, True


def characteristics_table(*, review) -> CharacteristicsTable:
    """The characteristics of included studies: a row per study with a final consensus."""
    from . import characteristics

    described = described_studies(review=review)
    if described.template is None:
        return CharacteristicsTable(layout={c: [] for c in characteristics.COLUMNS}, items=[], rows=[],
                                    stored=False, without_consensus=described.without_consensus, template=None)
    definition = described.template.current_version.definition
    layout, stored = characteristics_layout(review=review, definition=definition)
    rows = characteristics.table_rows(definition, layout,
                                      [(s.study_id, s.label, s.answers) for s in described.studies],
                                      risk_of_bias_overall(review=review))
    return CharacteristicsTable(layout=layout, items=characteristics.items(definition), rows=rows, stored=stored,
                                without_consensus=described.without_consensus, template=described.template)


# -- study designs ---------------------------------------------------------------------

# Without a stored mapping (a review before it had one), the built-in form's design field maps
# its three choices onto the designs of the same name.
BUILTIN_DESIGN_FIELD = "design"
BUILTIN_DESIGN_VALUES = {d.value: d.value for d in (StudyDesign.RANDOMISED, StudyDesign.NON_RANDOMISED,
                                                    StudyDesign.PRE_POST)}


@dataclass(frozen=True)
class DesignSource:
    """Which extraction field gives a study's design, and which answer means which design."""

    field_key: str
    values: dict[str, str]
    stored: bool  # False: the built-in form's default

    def design_of(self, study: Study, answers: dict) -> tuple[str, str]:
        """(the design, "" when unknown; where it comes from, in words)."""
        if study.design:
            return study.design, "set on the study"
        answer = answers.get(self.field_key)
        if answer is None or answer == "":
            return "", "not extracted"
        design = self.values.get(str(answer), "")
        return design, f"from “{answer}”" if design else f"“{answer}” is not mapped to a design"


def design_source(*, review) -> DesignSource:
    mapping = DesignMapping.objects.filter(review=review).first()
    if mapping is None:
        return DesignSource(BUILTIN_DESIGN_FIELD, dict(BUILTIN_DESIGN_VALUES), stored=False)
    return DesignSource(mapping.field_key, dict(mapping.values), stored=True)


@dataclass(frozen=True)
class StudyDesignRow:
    """A study's design as analyses read it, and where it comes from (in words)."""

    study: Study
    design: str  # a StudyDesign value, or "" when unknown
    source: str
    answer: object  # the mapped field's consensus answer (None: not extracted)


@dataclass(frozen=True)
class DesignMappingChoice:
    """A plain field the mapping may read, and the answers it can map: its choices, else what the
    consensus answers hold (and what the stored mapping names)."""

    key: str
    label: str
    answers: list[str]


def study_designs(*, review) -> list[StudyDesignRow]:
    """Every study of the review with its design (set on the study, else mapped), by label."""
    source = design_source(review=review)
    template = extraction_template(review=review)
    answers = {} if template is None else {study.pk: a for study, a, _d in consensus_rows(template=template)}
    rows = []
    for study in review.studies.order_by("label", "id"):
        design, where = source.design_of(study, answers.get(study.pk, {}))
        rows.append(StudyDesignRow(study=study, design=design, source=where,
                                   answer=answers.get(study.pk, {}).get(source.field_key)))
    return rows


def design_mapping_choices(*, review) -> list[DesignMappingChoice]:
    """The plain single-answer fields of the extraction form (a multiple choice cannot say one
    design), each with the answers a lead may map."""
    template = extraction_template(review=review)
    if template is None:
        return []
    outcome_names = list(review.outcomes.values_list("name", flat=True))
    found: dict[str, dict[str, None]] = {}
    for _study, answers, _d in consensus_rows(template=template):
        for key, value in answers.items():
            if isinstance(value, (str, int, float)) and str(value).strip():
                found.setdefault(key, {})[str(value)] = None
    stored = design_source(review=review)
    out = []
    for section in defs.sections(template.current_version.definition):
        if section.get("repeat"):
            continue
        for f in section["fields"]:
            if f["type"] == "multiple":
                continue
            listed = f["type"] in ("single", "ynu")
            answers = dict.fromkeys(defs.field_choices(f, outcome_names) if listed else [])
            answers.update(found.get(f["key"], {}))
            if f["key"] == stored.field_key:
                answers.update(dict.fromkeys(stored.values))
            out.append(DesignMappingChoice(key=f["key"], label=f.get("label") or f["key"], answers=list(answers)))
    return out
