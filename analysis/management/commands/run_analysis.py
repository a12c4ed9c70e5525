"""Run analyses in the foreground (no worker), storing the runs as the app does.

    python manage.py run_analysis --review ID (--analysis ID | --all) [--json]

With --json, one JSON object per run and line: analysis id and name, outcome, measure, method,
test, k, the yi and vi used (in study order), b, se, ci_lb, ci_ub, pval, tau2, I2, QE.
"""
from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from analysis import services
from analysis.models import Analysis, AnalysisRun
from reviewapp.models import Review

FIELDS = ("b", "se", "ci_lb", "ci_ub", "pval", "tau2", "I2", "QE")


def run_line(run: AnalysisRun) -> dict:
    spec, studies = run.spec, (run.inputs or {}).get("studies", [])
    summary = (run.results or {}).get("summary", {})
    line = {"analysis_id": run.analysis_id, "name": spec.get("name"), "run": run.number, "status": run.status,
            "outcome": spec.get("outcome"), "measure": spec.get("measure"), "method": spec.get("method"),
            "test": spec.get("test"), "k": summary.get("k", len(studies)),
            "yi": [s["yi"] for s in studies], "vi": [s["vi"] for s in studies]}
    line.update({f: summary.get(f) for f in FIELDS})
    if run.status == AnalysisRun.Status.FAILED:
        line["error"] = run.error
    return line


class Command(BaseCommand):
    help = "Run a review's analyses now, in this process, and store the runs as the app would."

    def add_arguments(self, parser):
        parser.add_argument("--review", type=int, required=True, help="The review's id.")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--analysis", type=int, help="One analysis' id.")
        which.add_argument("--all", action="store_true", help="Every analysis of the review.")
        parser.add_argument("--json", action="store_true", help="One JSON object per run and line.")

    def handle(self, *args, review: int, analysis: int | None, all: bool, json: bool, **options):
        found = Review.objects.filter(pk=review).first()
        if found is None:
            raise CommandError(f"No review with id {review}.")
        analyses = Analysis.objects.filter(review=found).select_related("outcome")
        if analysis is not None:
            analyses = analyses.filter(pk=analysis)
            if not analyses.exists():
                raise CommandError(f"Review {review} has no analysis with id {analysis}.")
        elif not analyses.exists():
            raise CommandError(f"Review {review} has no analyses; define them in the app first.")
        for item in analyses:
            run = services.analysis_run_request(actor=None, analysis=item, enqueue=False)
            run = services.analysis_run_execute(run_id=run.pk)
            self._report(run, as_json=json)

    def _report(self, run: AnalysisRun, *, as_json: bool) -> None:
        line = run_line(run)
        if as_json:
            self.stdout.write(json_dumps(line))
        elif run.status == AnalysisRun.Status.DONE:
            self.stdout.write(f"{line['name']} (run {run.number}): {line['measure']} {line['b']:.4f} "
                              f"[{line['ci_lb']:.4f}, {line['ci_ub']:.4f}], k = {line['k']}, tau2 = {line['tau2']:.4f}")
        else:
            self.stdout.write(self.style.ERROR(f"{line['name']} (run {run.number}) failed: {run.error}"))


def json_dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)
