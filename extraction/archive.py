"""Extraction's part of a review archive (reviewapp.archive): forms and their published versions,
extractions and appraisals (an appraisal is an extraction on an appraisal form), each person's
entry, how differences were settled, the characteristics table's columns and the design mapping;
and the CSVs people read.

Appraisal tools are site-level (loaded by migrations): the archive carries the versions the
review's forms use, and the importer takes the target's row of the same slug, version and
definition. It never makes or changes a tool: a form whose tool this site lacks (or has with
another definition) becomes a custom tool of the imported review, which its published versions
hold whole, so no archive can offer an altered "RoB 2" to every review of the site. Answers and
consensus name outcomes by name and hold no ids, so they travel as they are."""
from __future__ import annotations

from reviewapp.archive.registry import ArchivePart, ModelPart
from reviewapp.tabular import csv_text

from . import exports, selectors
from .appraisal import selectors as appraisal_selectors
from .models import (
    AppraisalTool,
    CharacteristicsLayout,
    DesignMapping,
    Entry,
    Extraction,
    FormTemplate,
    FormVersion,
    Settlement,
)


def _extraction_table(shape: str):
    def make(review) -> bytes:
        template = selectors.extraction_template(review=review)
        if template is None:
            return b""
        frame = (exports.wide_frame if shape == "wide" else exports.long_frame)(template=template)
        return exports.write_table(frame, "csv")
    return make


def _risk_of_bias(review) -> str:
    columns = appraisal_selectors.CSV_COLUMNS
    return csv_text([columns, *([row.get(k, "") for k in columns]
                                for row in appraisal_selectors.table_rows(review=review))])


def parts() -> list[ArchivePart]:
    """extraction's part of an archive (``archive_parts`` on its AppConfig)."""
    return [ArchivePart(
        app="extraction",
        csvs={"extraction-wide.csv": _extraction_table("wide"), "extraction-long.csv": _extraction_table("long"),
              "risk-of-bias.csv": _risk_of_bias},
        models=(
            ModelPart(AppraisalTool, lambda review: AppraisalTool.objects.filter(
                pk__in=FormTemplate.objects.filter(review=review).values("tool")), natural_key=("slug", "version"),
                      same_fields=("definition",)),
            ModelPart(FormTemplate, lambda review: FormTemplate.objects.filter(review=review)),
            ModelPart(FormVersion, lambda review: FormVersion.objects.filter(template__review=review)),
            ModelPart(Extraction, lambda review: Extraction.objects.filter(review=review)),
            ModelPart(Entry, lambda review: Entry.objects.filter(extraction__review=review)),
            ModelPart(Settlement, lambda review: Settlement.objects.filter(extraction__review=review)),
            ModelPart(CharacteristicsLayout, lambda review: CharacteristicsLayout.objects.filter(review=review)),
            ModelPart(DesignMapping, lambda review: DesignMapping.objects.filter(review=review)),
        ))]
