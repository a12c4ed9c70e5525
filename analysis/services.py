"""Writes of the analysis app: defining analyses, queueing runs and carrying them out.

A run goes queued -> running -> done (or failed, with the reason in words). The worker's task
acknowledges late, so a worker killed mid-run has its task delivered again; `analysis_run_execute`
makes that safe: a finished run is left alone, and of two deliveries of one run only the latest
attempt may store its result, so a run ends exactly once.
"""
from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from reviewapp.audit import audit_record, audited_update, snapshot
from reviewapp.exceptions import ApplicationError
from reviewapp.jobs import Attempt, JobFailed, job_cancel, job_run, job_run_again, job_send
from reviewapp.models import AuditEvent, Outcome, Review, Webhook
from reviewapp.notifications.models import Kind
from reviewapp.notifications.services import notify
from reviewapp.webhooks import emit

from . import selectors
from .compute import AnalysisRefused, compute
from .models import DESIGNS, Analysis, AnalysisRun
from .stats import MetaAnalysisError

log = logging.getLogger(__name__)
Action = AuditEvent.Action
Status = AnalysisRun.Status
ANALYSIS_FIELDS = ("name", "outcome", "timepoint", "measure", "method", "test", "designs", "exclude_high_risk",
                   "cluster_field", "subgroup_field", "moderators", "level")
RUN_AUDIT_EXCLUDE = ("inputs", "results", "plots", "spec", "options")


def _check(review: Review, fields: dict) -> None:
    designs = fields.get("designs")
    if designs is not None and (not designs or set(designs) - set(DESIGNS)):
        raise ApplicationError(f"Choose the designs that enter from: {', '.join(DESIGNS)}.")
    known = {f["key"] for f in selectors.study_fields(review=review)}
    for key in ("cluster_field", "subgroup_field"):
        if fields.get(key) and fields[key] not in known:
            raise ApplicationError(f"“{fields[key]}” is not a study-level field of the extraction form.")
    unknown = [m for m in fields.get("moderators") or [] if m not in known]
    if unknown:
        raise ApplicationError(f"Not study-level fields of the extraction form: {', '.join(unknown)}.")
    level = fields.get("level")
    if level is not None and not 50 <= level < 100:
        raise ApplicationError("A confidence level lies between 50 and 100 (e.g. 95).", extra={"field": "level"})
    outcome = fields.get("outcome")
    if outcome is not None and outcome.review_id != review.pk:
        raise ApplicationError("That outcome belongs to another review.")
    if fields.get("measure") == "SMCR" and fields.get("designs") and "Uncontrolled pre-post study" not in \
            fields["designs"]:
        raise ApplicationError("A pre-post (SMCR) analysis needs the uncontrolled pre-post design among its designs.")


@transaction.atomic
def analysis_create(*, actor, review: Review, outcome: Outcome, **fields) -> Analysis:
    """A new analysis; unset fields take the defaults (REML random effects, z test, SMD, controlled designs)."""
    unknown = set(fields) - set(ANALYSIS_FIELDS)
    if unknown:
        raise TypeError(f"unknown analysis fields: {sorted(unknown)}")
    fields.setdefault("name", outcome.name)
    _check(review, {**fields, "outcome": outcome})
    if review.analyses.filter(name=fields["name"]).exists():
        raise ApplicationError(f"An analysis named “{fields['name']}” exists already.")
    position = (review.analyses.aggregate(m=Max("position"))["m"] or 0) + 1
    analysis = Analysis(review=review, outcome=outcome, position=position, created_by=actor, **fields)
    analysis.full_clean()
    analysis.save()
    audit_record(actor=actor, review=review, action=Action.CREATE, instance=analysis,
                 after=snapshot(analysis, exclude=("created_at", "updated_at")))
    return analysis


@transaction.atomic
def analysis_update(*, actor, analysis: Analysis, **fields) -> Analysis:
    analysis = Analysis.objects.select_for_update().get(pk=analysis.pk)
    _check(analysis.review, {"designs": fields.get("designs", analysis.designs),
                             "measure": fields.get("measure", analysis.measure), **fields})
    if "name" in fields and analysis.review.analyses.filter(name=fields["name"]).exclude(pk=analysis.pk).exists():
        raise ApplicationError(f"An analysis named “{fields['name']}” exists already.")
    return audited_update(actor=actor, review=analysis.review, instance=analysis, fields=fields,
                          allowed=ANALYSIS_FIELDS, exclude=("created_at", "updated_at"))


def analyses_create_defaults(*, actor, review: Review) -> list[Analysis]:
    """One analysis with the default settings for each outcome that has none yet."""
    have = set(review.analyses.values_list("outcome_id", flat=True))
    return [analysis_create(actor=actor, review=review, outcome=o) for o in review.outcomes.all() if o.pk not in have]


@transaction.atomic
def analysis_run_request(*, actor, analysis: Analysis, enqueue: bool = True, options: dict | None = None
                         ) -> AnalysisRun:
    """Queue a run of the analysis. While one is queued or running, that one is returned instead
    (pressing Run twice starts one run)."""
    Analysis.objects.select_for_update().get(pk=analysis.pk)  # one request at a time per analysis
    pending = analysis.runs.filter(status__in=[Status.QUEUED, Status.RUNNING]).order_by("-number").first()
    if pending is not None:
        return pending
    number = (analysis.runs.aggregate(m=Max("number"))["m"] or 0) + 1
    run = AnalysisRun.objects.create(analysis=analysis, number=number, requested_by=actor if getattr(
        actor, "pk", None) else None, spec=analysis.spec(), options=options or {})
    audit_record(actor=actor, review=analysis.review, action=Action.CREATE, instance=run,
                 after=snapshot(run, exclude=RUN_AUDIT_EXCLUDE), label=f"{analysis.name}: run {number}")
    if enqueue:
        job_send(run)
    return run


def analyses_run_all(*, actor, review: Review) -> list[AnalysisRun]:
    return [analysis_run_request(actor=actor, analysis=a) for a in selectors.analyses_list(review=review)]


def _ended(run: AnalysisRun, actor=None) -> None:
    """The trail and the webhooks learn how a run ended (and who cancelled it), in the transaction that ended it."""
    run = AnalysisRun.objects.select_related("analysis__review", "requested_by").get(pk=run.pk)
    audit_record(actor=actor or run.requested_by, review=run.analysis.review, action=Action.UPDATE, instance=run,
                 after=snapshot(run, exclude=RUN_AUDIT_EXCLUDE), label=f"{run.analysis.name}: run {run.number}")
    _announce(run, actor)


def _announce(run: AnalysisRun, actor=None) -> None:
    """Tell the review's webhooks that a run finished (done or failed), in the transaction that ended it,
    and whoever asked for it (unless they cancelled it themselves)."""
    if run.requested_by_id and getattr(actor, "pk", None) != run.requested_by_id:
        notify(review=run.analysis.review_id, kind=Kind.ANALYSIS, recipients=[run.requested_by_id],
               params={"name": run.analysis.name, "number": run.number, "status": run.status,
                       "error": (run.error or "")[:300]},
               link=reverse("analysis_run_detail", args=[run.analysis.review_id, run.pk]))
    summary = (run.results or {}).get("summary") or {}
    emit(review=run.analysis.review_id, event=Webhook.Event.ANALYSIS_RUN_FINISHED,
         data={"analysis": run.analysis_id, "analysis_name": run.analysis.name, "run": run.pk, "number": run.number,
               "status": run.status, "error": run.error,
               "url": reverse("api_analysis_run", args=[run.analysis.review_id, run.analysis_id, run.pk]),
               "result": {key: summary.get(key) for key in ("k", "b", "ci_lb", "ci_ub", "pval")} if summary else None})


def analysis_run_execute(*, run_id: int) -> AnalysisRun:
    """Carry out one run (a job: reviewapp.jobs): gather its inputs, fit, store results and plots.
    Safe to call again; a refusal of the data ends it failed with the reason in words."""
    return job_run(AnalysisRun, run_id, _execute, on_end=_ended)


def _execute(attempt: Attempt) -> dict:
    run = attempt.job
    delay = getattr(settings, "ANALYSIS_TEST_DELAY_SECONDS", 0)
    if delay and run.options.get("test_delay"):
        time.sleep(delay)  # only a test asks for this, to stop a worker mid-run
    analysis = Analysis.objects.select_related("review", "outcome").get(pk=run.analysis_id)
    inputs = selectors.analysis_inputs(analysis=analysis)
    data = inputs.as_dict()
    fields = {"inputs": data, "input_hash": inputs.hash, "spec": inputs.spec}
    try:
        computed = compute(data)
    except (AnalysisRefused, MetaAnalysisError) as exc:
        raise JobFailed(str(exc), **fields) from exc
    return {**fields, "results": computed.results, "plots": computed.plots}


@transaction.atomic
def analysis_run_cancel(*, actor, run: AnalysisRun) -> AnalysisRun:
    """Stop a run that has not ended (the worker's result, if it comes, is not kept)."""
    return job_cancel(AnalysisRun, run.pk, on_end=lambda ended: _ended(ended, actor=actor))


@transaction.atomic
def analysis_run_again(*, actor, run: AnalysisRun) -> AnalysisRun:
    """Queue a failed or cancelled run again."""
    before = snapshot(run, exclude=RUN_AUDIT_EXCLUDE)
    run = job_run_again(AnalysisRun, run.pk)
    audit_record(actor=actor, review=run.analysis.review, action=Action.UPDATE, instance=run, before=before,
                 after=snapshot(run, exclude=RUN_AUDIT_EXCLUDE), label=f"{run.analysis.name}: run {run.number} again")
    return run
