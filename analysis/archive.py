"""Analysis' part of a review archive (reviewapp.archive): analyses, their runs with the exact
inputs and results, and the GRADE assessments of the summary of findings; and its CSV.

A run's inputs name studies by id (studies that entered, were left out, or were pre-post), so
those ids are translated; the run's input hash is computed over those inputs, so it is computed
again over the translated ones, and an imported run is as fresh (or as stale) as it was. Results
and specs name studies and outcomes by label, and travel as they are.

A run's plots are never taken from the archive (markup anyone could write, shown inside the
app's pages): the importer draws them again from the run's stored inputs with our renderer, and
a run whose inputs cannot be drawn arrives without plots."""
from __future__ import annotations

import logging

from reviewapp.archive.registry import ArchivePart, ModelPart, unfinished_as_failed

from .compute import plots
from .models import Analysis, AnalysisRun, GradeAssessment, ReportText
from .selectors import inputs_hash
from .sof import exports as sof_exports

log = logging.getLogger(__name__)
STUDY = "screening.Study"
STUDY_LISTS = ("studies", "excluded", "prepost")


def _translated_inputs(value, lookup):
    if not isinstance(value, dict):
        return value
    out = dict(value)
    for key in STUDY_LISTS:
        if isinstance(out.get(key), list):
            # A study deleted after the run is not in the archive: its id becomes null, its label stays.
            out[key] = [{**s, "study_id": lookup(STUDY, s["study_id"])}
                        if isinstance(s, dict) and s.get("study_id") is not None else s for s in out[key]]
    return out


def _inputs(value, lookup, row):
    return _translated_inputs(value, lookup)


def _input_hash(value, lookup, row):
    inputs = row.get("inputs")
    if isinstance(inputs, dict) and value and inputs_hash(inputs) == value:
        return inputs_hash(_translated_inputs(inputs, lookup))
    return value


_unfinished_run = unfinished_as_failed(
    waiting=("queued", "running"), failed="failed",
    message="Interrupted: the review was archived while this run was under way. Run the analysis again.")


def _drawn_again(row: dict) -> dict:
    """The run's row with plots drawn from its inputs (a run not done has none)."""
    row = _unfinished_run(row)
    # Archives written before the plots became one map carry forest_svg and funnel_svg: never
    # read, as the plots of any archive never are.
    row = {k: v for k, v in row.items() if k not in ("forest_svg", "funnel_svg")}
    drawn: dict[str, str] = {}
    if row.get("status") == "done" and isinstance(row.get("inputs"), dict):
        try:
            drawn = plots(row["inputs"])
        except Exception:  # noqa: BLE001 - inputs an archive forged: the run keeps its numbers, without plots
            log.warning("archive import: the plots of analysis run #%s could not be drawn", row.get("id"))
    return {**row, "plots": drawn}


def parts() -> list[ArchivePart]:
    """analysis's part of an archive (``archive_parts`` on its AppConfig)."""
    return [ArchivePart(
        app="analysis",
        csvs={"summary-of-findings.csv": lambda review: sof_exports.sof_csv(review=review)},
        models=(
            ModelPart(Analysis, lambda review: Analysis.objects.filter(review=review)),
            # A run still waiting would keep the analysis from being run again on the target.
            ModelPart(AnalysisRun, lambda review: AnalysisRun.objects.filter(analysis__review=review),
                      embedded_ids={"inputs": _inputs, "input_hash": _input_hash}, adjust=_drawn_again),
            ModelPart(GradeAssessment, lambda review: GradeAssessment.objects.filter(review=review)),
            ModelPart(ReportText, lambda review: ReportText.objects.filter(review=review)),
        ))]
