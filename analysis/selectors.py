"""Reads of the analysis app: the data an analysis would pool now, what changed since its last run,
the runs, and the pre-post summary."""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.http import Http404
from django.utils.translation import ngettext

from extraction import definition as defs
from extraction import selectors as extraction_selectors
from extraction.outcome_data import SECTION_KEY
from reviewapp.models import Review

from .effects import LeftOut, row_effect_as
from .models import PREPOST, Analysis, AnalysisRun

# Field types of the study-level sections that can describe a study for subgroups or moderators.
GROUPING_TYPES = ("single", "ynu", "country", "text", "integer", "decimal", "multiple")
NUMERIC_TYPES = ("integer", "decimal")


def analyses_list(*, review: Review):
    return review.analyses.select_related("outcome").order_by("position", "id")


# Ids past what a database integer holds (as an API path may carry) are simply not found, not sent to SQL.
_ID_LIMIT = 2**53


def _no_such(*ids: int | None) -> bool:
    return any(i is not None and not 0 < i <= _ID_LIMIT for i in ids)


def analysis_get(*, review: Review, analysis_id: int) -> Analysis:
    if _no_such(analysis_id):
        raise Http404("No such analysis.")
    analysis = Analysis.objects.filter(review=review, pk=analysis_id).select_related("outcome").first()
    if analysis is None:
        raise Http404("No such analysis.")
    return analysis


def run_get(*, review: Review, run_id: int, analysis_id: int | None = None) -> AnalysisRun:
    if _no_such(run_id, analysis_id):
        raise Http404("No such run.")
    runs = AnalysisRun.objects.filter(analysis__review=review, pk=run_id)
    if analysis_id is not None:
        runs = runs.filter(analysis_id=analysis_id)
    run = runs.select_related("analysis").first()
    if run is None:
        raise Http404("No such run.")
    return run


def last_run(*, analysis: Analysis, done: bool = False) -> AnalysisRun | None:
    runs = analysis.runs.order_by("-number")
    if done:
        runs = runs.filter(status=AnalysisRun.Status.DONE)
    return runs.first()


def study_fields(*, review: Review) -> list[dict]:
    """Study-level fields of the extraction form that may define subgroups, clusters or moderators."""
    template = extraction_selectors.extraction_template(review=review)
    if template is None:
        return []
    return [f for s in defs.sections(template.current_version.definition) if not s.get("repeat")
            for f in s["fields"] if f["type"] in GROUPING_TYPES]


def study_field_labels(*, review: Review) -> dict[str, str]:
    """Extraction field key -> the label the form shows, for naming moderators and subgroups."""
    template = extraction_selectors.extraction_template(review=review)
    if template is None:
        return {}
    return {f["key"]: f.get("label") or f["key"]
            for s in defs.sections(template.current_version.definition) for f in s["fields"]}


def coefficient_label(name: str, labels: dict[str, str]) -> str:
    """A meta-regression coefficient in the form's words: "intrcpt" -> "Intercept",
    "child_age_months" -> "Child age (months)", "settingclinic" -> "Setting: clinic"."""
    if name == "intrcpt":
        return "Intercept"
    if name in labels:
        return labels[name]
    # A level of a categorical moderator is named key + level; the longest matching key wins.
    for key in sorted(labels, key=len, reverse=True):
        if name.startswith(key):
            return f"{labels[key]}: {name[len(key):]}"
    return name


def metareg_coefficients(*, run, labels: dict[str, str]) -> list[dict]:
    """The run's meta-regression coefficients with the label each is shown under."""
    metareg = (run.results or {}).get("metareg") if run is not None else None
    if not metareg or "coefficients" not in metareg:
        return []
    return [{**c, "label": coefficient_label(c["name"], labels)} for c in metareg["coefficients"]]


def _field_value(answers: dict, key: str, kind: str | None):
    value = answers.get(key)
    if value in (None, "", []):
        return None
    if kind in NUMERIC_TYPES:
        return float(value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _timepoint_order(answers: dict) -> dict[str, float]:
    """Months from baseline of each named time point of the study (lower case), where extracted."""
    order = {}
    for tp in answers.get("timepoints") or []:
        label = (tp.get("label") or "").strip().lower()
        if label and tp.get("months_from_baseline") is not None:
            order[label] = float(tp["months_from_baseline"])
    return order


def _pick_row(rows: list[dict], rule: str, answers: dict) -> tuple[dict | None, str]:
    """The row at the analysis' time point, and a note when other comparisons were set aside."""
    if not rows:
        return None, ""
    rule_l = rule.strip().lower()
    labels = []
    for row in rows:
        label = (row.get("timepoint") or "").strip().lower()
        if label not in labels:
            labels.append(label)
    if rule_l in ("first", "last"):
        months = _timepoint_order(answers)
        # extracted months put the time points in order; where missing, the order of the rows stands
        ordered = sorted(labels, key=lambda lb: (months.get(lb, float("inf")), labels.index(lb)))
        if rule_l == "last":
            ordered = sorted(labels, key=lambda lb: (months.get(lb, float("-inf")), labels.index(lb)))
        chosen = ordered[0] if rule_l == "first" else ordered[-1]
    else:
        chosen = rule_l
    matching = [r for r in rows if (r.get("timepoint") or "").strip().lower() == chosen]
    if not matching:
        return None, ""
    further = len(matching) - 1
    note = (ngettext("%d further comparison at this time point set aside",
                     "%d further comparisons at this time point set aside", further) % further) if further else ""
    return matching[0], note


@dataclass
class Inputs:
    """What an analysis pools now: the studies that enter, those left out and why, and the
    uncontrolled pre-post studies of the outcome (for their summary)."""

    spec: dict
    studies: list[dict] = field(default_factory=list)
    excluded: list[dict] = field(default_factory=list)
    prepost: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"spec": self.spec, "studies": self.studies, "excluded": self.excluded,
                "prepost": self.prepost, "notes": self.notes}

    @property
    def hash(self) -> str:
        return inputs_hash(self.as_dict())


def _without_signed_zero(value):
    if isinstance(value, float) and value == 0.0:
        return 0.0
    if isinstance(value, dict):
        return {k: _without_signed_zero(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_signed_zero(v) for v in value]
    return value


def inputs_hash(data: dict) -> str:
    """The hash of an analysis' inputs, the same before and after they are stored: PostgreSQL's
    jsonb keeps no sign of zero (an effect of -0.0 comes back as 0.0), so neither does the hash."""
    canonical = _without_signed_zero(data)
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _risk_of_bias(review: Review):
    """(study id, outcome) -> RiskVerdict of the final appraisals; None while nothing is appraised."""
    return extraction_selectors.risk_of_bias_verdicts(review=review) or None


@dataclass
class _Fetched:
    """What ``analysis_inputs`` reads from the database, before any of the analysis' rules apply."""

    studies: list  # the review's studies, by label
    final: dict[int, dict]  # study id -> consensus answers, for final extractions only
    designs: extraction_selectors.DesignSource
    fields_by_key: dict[str, dict]  # study-level fields of the form
    # (study id, outcome) -> RiskVerdict, when the analysis leaves high risk out and something is appraised
    rob: dict | None


def _fetch(*, review: Review, rob: bool) -> _Fetched | None:
    """The queries; None while no extraction form is published. ``rob``: read the appraisals too."""
    fields_by_key = {f["key"]: f for f in study_fields(review=review)}
    template = extraction_selectors.extraction_template(review=review)
    if template is None:
        return None
    final = {study.pk: answers for study, answers, _definition in
             extraction_selectors.consensus_rows(template=template)}
    return _Fetched(studies=list(review.studies.order_by("label", "id")), final=final,
                    designs=extraction_selectors.design_source(review=review), fields_by_key=fields_by_key,
                    rob=_risk_of_bias(review) if rob else None)


def analysis_inputs(*, analysis: Analysis) -> Inputs:
    """The data the analysis pools under its rules now, with every study left out and why."""
    spec = analysis.spec()
    return select_inputs(spec, _fetch(review=analysis.review, rob=analysis.exclude_high_risk))


def analyses_inputs(*, review: Review, analyses: Iterable[Analysis]) -> dict[int, Inputs]:
    """``analysis_inputs`` of several analyses of ``review`` (analysis id -> Inputs), reading the
    review's data once rather than once per analysis: what a page listing analyses with their
    staleness needs. Each call reads afresh; nothing is kept between requests."""
    analyses = list(analyses)
    need_rob = any(a.exclude_high_risk for a in analyses)
    data = _fetch(review=review, rob=need_rob) if analyses else None
    without_rob = replace(data, rob=None) if data is not None else None
    return {a.pk: select_inputs(a.spec(), data if a.exclude_high_risk else without_rob) for a in analyses}


def select_inputs(spec: dict, data: _Fetched | None) -> Inputs:
    """The selection step, no queries: which studies enter under ``spec`` (``Analysis.spec()``)
    and why each other one is left out; the uncontrolled pre-post studies aside."""
    out = Inputs(spec=spec)
    if data is None:
        out.notes.append("No extraction form is published yet, so no study has data.")
        return out
    if spec.get("subgroup_field"):  # the forest plot's panels name the field as the form does
        label = data.fields_by_key.get(spec["subgroup_field"], {}).get("label", spec["subgroup_field"])
        out.spec = spec = {**spec, "subgroup_label": label}
    if spec["exclude_high_risk"] and data.rob is None:
        out.notes.append("Risk of bias is not appraised yet, so no study was left out for it.")
    for study in data.studies:
        try:
            out.studies.append(_study_entry(spec, data, study, out.prepost))
        except LeftOut as exc:
            out.excluded.append({"study_id": study.pk, "label": study.label, "reason": str(exc)})
    if spec["cluster_field"]:
        _one_per_cluster(out, data.fields_by_key.get(spec["cluster_field"], {}).get("label", spec["cluster_field"]))
    return out


def _outcome_row(spec: dict, answers: dict) -> tuple[dict, str]:
    """The row of the analysis' outcome at its time point, and a note on rows set aside."""
    rows = [r for r in answers.get(SECTION_KEY) or [] if r.get("outcome") == spec["outcome"]]
    if not rows:
        raise LeftOut("no data for this outcome")
    row, pick_note = _pick_row(rows, spec["timepoint"], answers)
    if row is None:
        raise LeftOut(f"no data at the time point “{spec['timepoint']}” "
                      f"(has: {', '.join(sorted({r.get('timepoint', '') for r in rows}))})")
    return row, pick_note


def _prepost_summary(spec: dict, study, row: dict) -> dict | None:
    """An uncontrolled pre-post study's change, for the summary beside the analysis."""
    higher = spec["higher_favours"]
    try:
        effect = row_effect_as(row, measure="SMCR", higher_favours=higher)
    except LeftOut:
        return None
    return {"study_id": study.pk, "label": study.label, "yi": effect.yi,
            "favourable": (effect.yi > 0) if higher else (effect.yi < 0)}


def _risk_verdict(data: _Fetched, study, outcome: str):
    return data.rob.get((study.pk, outcome)) or data.rob.get((study.pk, ""))


def _study_entry(spec: dict, data: _Fetched, study, prepost: list[dict]) -> dict:
    """The study as it enters the analysis; raises LeftOut with the reason it does not."""
    answers = data.final.get(study.pk)
    if answers is None:
        raise LeftOut("extraction not final (no consensus yet)")
    design, design_from = data.designs.design_of(study, answers)
    row, pick_note = _outcome_row(spec, answers)
    # Controlled analyses only: a pre-post study is summarised apart even when its design is not taken.
    if design == PREPOST and spec["measure"] != "SMCR" and (summary := _prepost_summary(spec, study, row)):
        prepost.append(summary)
    if design not in spec["designs"]:
        raise LeftOut(f"design: {design or design_from} (this analysis takes "
                      f"{', '.join(spec['designs']) or 'no design'})")
    verdict = _risk_verdict(data, study, spec["outcome"]) if data.rob is not None else None
    if verdict and verdict.high:
        raise LeftOut(f"high risk of bias (overall: {verdict.judgement})")
    effect = row_effect_as(row, measure=spec["measure"], higher_favours=spec["higher_favours"])
    notes = [n for n in (effect.note, pick_note) if n]
    if data.rob is not None and not verdict:
        notes.append("risk of bias not appraised")
    entry = {"study_id": study.pk, "label": study.label, "yi": effect.yi, "vi": effect.vi, "n": effect.n,
             "design": design, "timepoint": row.get("timepoint", ""), "instrument": row.get("instrument", ""),
             "notes": notes}
    entry.update(_grouping(spec, data.fields_by_key, answers))
    return entry


def _grouping(spec: dict, fields_by_key: dict[str, dict], answers: dict) -> dict:
    """The study's subgroup, moderators and cluster, as the analysis asks for them."""
    extra: dict = {}
    if spec["subgroup_field"]:
        value = _field_value(answers, spec["subgroup_field"], fields_by_key.get(spec["subgroup_field"], {}).get("type"))
        extra["subgroup"] = None if value is None else str(value)
    if spec["moderators"]:
        extra["moderators"] = {key: _field_value(answers, key, fields_by_key.get(key, {}).get("type"))
                               for key in spec["moderators"]}
    if spec["cluster_field"]:
        extra["cluster"] = _field_value(answers, spec["cluster_field"], "text")
    return extra


def _one_per_cluster(out: Inputs, field_label: str) -> None:
    """Of studies sharing the cluster field's value only the largest stays (ties: the first by label)."""
    best: dict[str, dict] = {}
    for s in out.studies:
        key = s.get("cluster")
        if key is None:
            continue
        if key not in best or (s["n"] or 0) > (best[key]["n"] or 0):
            best[key] = s
    kept = []
    for s in out.studies:
        key = s.get("cluster")
        if key is not None and best[key] is not s:
            out.excluded.append({"study_id": s["study_id"], "label": s["label"],
                                 "reason": f"one study per {field_label.lower()}: {key} is represented by "
                                           f"{best[key]['label']} (larger)"})
        else:
            kept.append(s)
    out.studies = kept
    out.excluded.sort(key=lambda e: e["label"])


# -- staleness -----------------------------------------------------------------------

@dataclass
class Staleness:
    stale: bool
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    spec_changed: list[str] = field(default_factory=list)
    other: bool = False

    @property
    def summary(self) -> str:
        parts = []
        if self.spec_changed:
            parts.append("settings changed: " + ", ".join(self.spec_changed))
        for what, names in (("added", self.added), ("removed", self.removed), ("changed", self.changed)):
            if names:
                parts.append(f"{len(names)} {ngettext('study', 'studies', len(names))} {what} "
                             f"({', '.join(names)})")
        if not parts and self.stale:
            parts.append("studies left out or the pre-post data changed")
        return "; ".join(parts)


def staleness(*, run: AnalysisRun | None, current: Inputs) -> Staleness | None:
    """Whether the data have changed since ``run``, and what; None without a finished run."""
    if run is None or run.inputs is None:
        return None
    if run.input_hash == current.hash:
        return Staleness(stale=False)
    old = run.inputs
    spec_changed = [k for k in sorted(set(old.get("spec", {})) | set(current.spec))
                    if old.get("spec", {}).get(k) != current.spec.get(k)]
    before = {s["label"]: s for s in old.get("studies", [])}
    now = {s["label"]: s for s in current.studies}
    return Staleness(
        stale=True,
        added=sorted(set(now) - set(before)),
        removed=sorted(set(before) - set(now)),
        changed=sorted(lb for lb in set(now) & set(before) if now[lb] != before[lb]),
        spec_changed=spec_changed,
    )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "analysis"


@dataclass
class Overview:
    analysis: Analysis
    latest: AnalysisRun | None
    latest_done: AnalysisRun | None
    staleness: Staleness | None
    current: Inputs

    @property
    def prepost(self) -> dict | None:
        return (self.latest_done.results or {}).get("prepost") if self.latest_done else None


def analysis_overview(*, analysis: Analysis, current: Inputs | None = None) -> Overview:
    """The analysis with its latest run, its latest finished result and whether that result is stale;
    ``current``: its inputs now, when already read (``analyses_inputs``)."""
    current = current if current is not None else analysis_inputs(analysis=analysis)
    latest = last_run(analysis=analysis)
    done = last_run(analysis=analysis, done=True)
    return Overview(analysis=analysis, latest=latest, latest_done=done,
                    staleness=staleness(run=done, current=current), current=current)


def analyses_overviews(*, review: Review) -> list[Overview]:
    """``analysis_overview`` of every analysis of the review, its data read once."""
    analyses = list(analyses_list(review=review))
    current = analyses_inputs(review=review, analyses=analyses)
    return [analysis_overview(analysis=a, current=current[a.pk]) for a in analyses]


def runs_of(*, analysis: Analysis):
    return analysis.runs.select_related("requested_by").defer("plots", "inputs", "results")


@dataclass(frozen=True)
class DesignCount:
    """How many of the review's studies have a design this analysis takes, and where designs come from."""

    k: int
    n: int
    source: str


def study_designs(*, review: Review) -> list:
    """Each study's design as analyses read it, and where it comes from (extraction's rows)."""
    return extraction_selectors.study_designs(review=review)


def design_count(*, analysis: Analysis, rows: list | None = None) -> DesignCount:
    review = analysis.review
    source = extraction_selectors.design_source(review=review)
    rows = study_designs(review=review) if rows is None else rows
    k = sum(1 for row in rows if row.design in analysis.designs)
    labels = study_field_labels(review=review)
    return DesignCount(k=k, n=len(rows),
                       source=f"set on the study by the lead, else read from the field "
                              f"“{labels.get(source.field_key, source.field_key)}”")
