"""Priority screening in the app: retrain the ranking in the background, and stop by a rule.

The ranking learns from the settled title/abstract records (included or excluded) and
writes each waiting record's priority in one transaction, so the queue serves the previous
order until a new one is complete. Retraining is queued after every few settled records,
never run in a request. Stopping early marks the records nobody screened as "excluded by
automation", with the rule and its figures kept (PRISMA counts them).
"""
from __future__ import annotations

import hashlib
import logging
import os
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import ngettext

from reviewapp.audit import audit_record, snapshot
from reviewapp.exceptions import ApplicationError
from reviewapp.jobs import Attempt, job_abandon, job_lost_reason, job_run, job_send
from reviewapp.models import AuditEvent, Review

from ..models import RankingRun, RecordCorrection, ScreeningItem, ScreeningSettings, ScreeningStage, StoppingDecision
from ..prioritise import Prioritiser, record_text, stopping, streamed
from ..prioritise.embeddings import EmbeddingsUnavailable, embed
from ..prioritise.protocol import Protocol, protocol_scores
from ..selectors import WORDLESS, settled_sequence, stopping_figures

Status = ScreeningItem.Status
TA = ScreeningStage.TITLE_ABSTRACT
# Retrain after this many newly settled records, or 1 % of those settled so far if more:
# often early on, when each decision teaches the model most, less often on a large review.
# The simulation's batch (prioritise/simulate.py) is the same share: at 1 % the simulated
# figures are those of retraining after every decision within 0.018 WSS@95 (0.003 on
# average); at 2 % they drifted by up to 0.028 either way (0.007; BENCHMARKS.md).
RETRAIN_EVERY = 5
RETRAIN_SHARE = 0.01


def _labels_and_items(review_id: int) -> tuple[np.ndarray, np.ndarray]:
    """The ids of every title/abstract item of the review, in id order (the rows of its features),
    and each one's status as an index into ``_STATUSES``. Only two columns: the texts are read only
    when the features must be built (a million titles and abstracts are gigabytes in Python)."""
    rows = (ScreeningItem.objects.filter(review_id=review_id, stage=TA).order_by("id")
            .values_list("id", "status"))
    codes = {status: code for code, status in enumerate(_STATUSES)}
    ids, statuses = [], []
    for pk, status in rows.iterator(chunk_size=20_000):
        ids.append(pk)
        statuses.append(codes[status])
    return np.asarray(ids, dtype=np.int64), np.asarray(statuses, dtype=np.int8)


_STATUSES = tuple(Status.values)
_INCLUDED, _EXCLUDED, _PENDING = (_STATUSES.index(s) for s in (Status.INCLUDED, Status.EXCLUDED, Status.PENDING))
_OUT = [_STATUSES.index(s) for s in (Status.WITHDRAWN, Status.AUTOMATION_EXCLUDED)]


def _text_blocks(review_id: int, size: int = 10_000) -> Iterator[list[str]]:
    """Title and abstract of every title/abstract item, in the order of ``_labels_and_items``, a
    block at a time (streamed from the database: a million texts are gigabytes in Python)."""
    rows = (ScreeningItem.objects.filter(review_id=review_id, stage=TA).order_by("id")
            .values_list("record__title", "record__abstract"))
    block: list[str] = []
    for title, abstract in rows.iterator(chunk_size=5_000):
        block.append(record_text(title, abstract))
        if len(block) == size:
            yield block
            block = []
    if block:
        yield block


def _texts(review_id: int) -> list[str]:
    """Every text at once: only when the features cannot be written to disk (built in memory then)."""
    return [text for block in _text_blocks(review_id) for text in block]


# The features (TF-IDF and word embeddings) take most of a retraining (about 130 s of CPU for
# 100,000 records; training and ranking on them take 0.4-3.5 s) and change only when a review's
# records do. They cover every title/abstract item of the review, merged or stopped ones too, so a
# merge or a stop changes no row; they are rebuilt only when items are added or removed or a title
# or abstract is mended, which the key tells without reading a single text. Each worker keeps the
# features of the last few reviews it ranked in memory, and every worker finds them in a file under
# RANKING_FEATURES_DIR after a restart (a cache, tagged with the key; rebuilt when it differs).
_FEATURES: dict[int, tuple[str, Prioritiser]] = {}
_FEATURES_KEPT = 2

logger = logging.getLogger(__name__)


def _records_key(review: Review, ids: np.ndarray) -> str:
    """Names the texts the features were built from: the review (its creation time too, as a
    database restored elsewhere may reuse ids), the items (how many, the first and last id) and
    the latest mended title or abstract. Items are never renumbered and a new one takes a higher
    id, so an import, a deletion or a mend each change it; like the kept counts
    (selectors/counted.py) it relies on texts changing only through the services."""
    mended = RecordCorrection.objects.filter(record__review=review).aggregate(last=Max("id"))["last"]
    span = f"{ids[0]}-{ids[-1]}" if len(ids) else "none"
    return f"review {review.pk} {review.created_at.isoformat()} items {len(ids)} {span} mended {mended or 0}"


def _prioritiser(review_id: int, key: str, texts: _Texts) -> Prioritiser:
    cached = _FEATURES.pop(review_id, None)
    prioritiser = cached[1] if cached and cached[0] == key else _saved_or_built(review_id, key, texts)
    _FEATURES[review_id] = (key, prioritiser)  # now the most recently used
    while len(_FEATURES) > _FEATURES_KEPT:
        _FEATURES.pop(next(iter(_FEATURES)))
    return prioritiser


def _saved_or_built(review_id: int, key: str, texts: _Texts) -> Prioritiser:
    path = Path(settings.RANKING_FEATURES_DIR) / f"review-{review_id}.npz"
    prioritiser = Prioritiser.load(path, key)
    if prioritiser is None:
        try:
            # Written straight to the file, block by block, with the protocol's scores from the
            # same read of the texts: bounded memory at a million records (streamed.py, #30).
            prioritiser = texts.build(path, key)
        except OSError as exc:  # a full or read-only disk: built in memory, and the next worker rebuilds
            logger.warning("could not keep the ranking features of review %s in %s: %s", review_id, path, exc)
            prioritiser = Prioritiser(texts(), vectors=texts.vectors())
    return prioritiser


def review_protocol(review: Review) -> Protocol:
    """What the review looks for, as the ranking reads it before (and blends it after) the first
    decisions: the title, question, PICO, designs and eligibility criteria, and the highlight keywords."""
    cfg = ScreeningSettings.objects.filter(review=review).first()
    parts = [review.title, review.question, review.population, review.intervention, review.comparator,
             review.outcomes_summary, review.study_designs, cfg.criteria if cfg else ""]
    return Protocol(text="\n".join(p for p in parts if p and p.strip()),
                    include_keywords=tuple(cfg.include_keyword_list) if cfg else (),
                    exclude_keywords=tuple(cfg.exclude_keyword_list) if cfg else ())


# The protocol's scores cost a TF-IDF fit and the embeddings of every record: kept per review
# until its records or its protocol change, in this worker and in a file beside the features.
_PRIORS: dict[int, tuple[str, np.ndarray]] = {}


def _protocol_prior(review: Review, records_key: str, texts: _Texts) -> np.ndarray | None:
    protocol = texts.protocol
    if protocol.is_empty:
        return None
    key = f"{records_key} protocol {hashlib.sha256(repr(protocol).encode('utf-8')).hexdigest()}"
    cached = _PRIORS.get(review.pk)
    if cached and cached[0] == key:
        return cached[1]
    path = Path(settings.RANKING_FEATURES_DIR) / f"review-{review.pk}.protocol.npz"
    scores = _saved_prior(path, key)
    if scores is None:
        scores = texts.prior()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
            with open(partial, "wb") as out:
                np.savez(out, key=np.array(key), scores=scores)
            os.replace(partial, path)
        except OSError as exc:
            logger.warning("could not keep the protocol scores of review %s in %s: %s", review.pk, path, exc)
    _PRIORS[review.pk] = (key, scores)
    while len(_PRIORS) > _FEATURES_KEPT:
        _PRIORS.pop(next(iter(_PRIORS)))
    return scores


def _saved_prior(path: Path, key: str) -> np.ndarray | None:
    try:
        with np.load(path, allow_pickle=False) as saved:
            return saved["scores"] if str(saved["key"]) == key else None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None  # missing or unreadable: a cache, so compute it again


def ranking_refresh(*, run_id: int) -> RankingRun:
    """Retrain and write the new priorities (the background task's body; a job: reviewapp.jobs).
    Reading the decisions, training and writing the priorities all sit inside the job, so any
    error ends the run failed with its reason and the next settled records queue another."""
    return job_run(RankingRun, run_id, _retrain)


def _retrain(attempt: Attempt) -> None:
    run = attempt.job
    phases = _Phases()
    ids, statuses = _labels_and_items(run.review_id)
    settled = np.flatnonzero((statuses == _INCLUDED) | (statuses == _EXCLUDED))
    labels = dict(zip(settled.tolist(), (statuses[settled] == _INCLUDED).astype(int).tolist(), strict=True))
    # Records without title or abstract come next once a run of exclusions as long as the
    # stopping heuristic's has shown the ranking has run dry (prioritise/model.py).
    in_screening = int(np.count_nonzero(~np.isin(statuses, _OUT)))
    ran_dry = stopping.ran_dry(settled_sequence(review=run.review), stopping.heuristic_run_length(in_screening))
    key = _records_key(run.review, ids)
    texts = _Texts(run.review_id, review_protocol(run.review))
    phases.lap("read")
    prioritiser = _prioritiser(run.review_id, key, texts)
    phases.lap("features")
    # The protocol ranks the first records before any decision and fades as inclusions
    # arrive (prioritise/protocol.py, BENCHMARKS.md "cold start").
    prior = _protocol_prior(run.review, key, texts)
    texts.drop()
    phases.lap("protocol")
    ranking = prioritiser.rank(labels, ran_dry, prior)
    phases.lap("fit_and_score")
    waiting = statuses[ranking.order] == _PENDING
    pending_ids, pending_scores = ids[ranking.order[waiting]], ranking.scores[waiting]
    ranked = len(pending_ids)
    with transaction.atomic():  # the priorities and the run's end commit together
        if len(pending_ids) > WRITE_ALL_UP_TO:
            pending_ids, pending_scores = _top_above_the_rest(run.review_id, pending_ids, pending_scores)
        _write_priorities(pending_ids, pending_scores)
        attempt.test_pause()  # the new priorities are written, not yet committed
        phases.lap("write")
        attempt.finish(decisions_seen=len(labels), included_seen=ranking.n_included, ranked=ranked,
                       trained=ranking.trained, seconds=phases.total())
    logger.info("ranking of review %s retrained: %s", run.review_id, phases, extra={"phases": phases.seconds})


class _Texts:
    """The review's texts, read from the database only when the features or the protocol's scores
    must be built (a retrain on kept ones never reads them). Normally read once, a block at a time,
    for both (``build``); held whole, with their word embeddings, only when the features cannot
    be written to disk (then built in memory, as before #30's streamed build)."""

    def __init__(self, review_id: int, protocol: Protocol) -> None:
        self.review_id, self.protocol = review_id, protocol
        self.texts: list[str] | None = None
        self.embedded: np.ndarray | None = None
        self.built_prior: np.ndarray | None = None

    def build(self, path: Path, key: str) -> Prioritiser:
        prioritiser, self.built_prior = Prioritiser.build_saved(_text_blocks(self.review_id), path, key,
                                                                protocol=self.protocol)
        return prioritiser

    def prior(self) -> np.ndarray:
        """The protocol's scores: from the features' build if it ran, else from a read of their own."""
        if self.built_prior is not None:
            return self.built_prior
        if self.texts is None:
            try:
                scores = streamed.build(_text_blocks(self.review_id), settings.RANKING_FEATURES_DIR,
                                        protocol=self.protocol)
                assert scores is not None  # the protocol is not empty here
                return scores
            except OSError as exc:
                logger.warning("could not score the protocol of review %s block by block: %s", self.review_id, exc)
        return protocol_scores(self(), self.protocol, self.vectors())

    def __call__(self) -> list[str]:
        if self.texts is None:
            self.texts = _texts(self.review_id)
        return self.texts

    def vectors(self) -> np.ndarray | None:
        """``embed`` of the texts; None without the embeddings (each user then does without, as before)."""
        if self.embedded is None:
            try:
                self.embedded = embed(self())
            except EmbeddingsUnavailable:
                return None
        return self.embedded

    def drop(self) -> None:
        self.texts = self.embedded = self.built_prior = None


# Up to this many waiting records every priority is written (8 s for 97,000 on PostgreSQL under
# load); beyond it, only the top WRITE_TOP, lifted above every priority already stored: rewriting a
# million rows took minutes (each new row version updates the queue's index), and the queue only
# ever serves the top. Between two retrains far fewer than WRITE_TOP records are screened (one
# retrain every 1 % of the settled records), so the records below the top, which keep the order
# of an earlier ranking, are never reached unless retraining keeps failing.
WRITE_ALL_UP_TO = 100_000
WRITE_TOP = 20_000


def _top_above_the_rest(review_id: int, ids: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first WRITE_TOP of the ranked waiting records (``ids`` in ranking order), their scores
    shifted by one constant so the lowest of them is above every waiting record's stored priority:
    the queue serves them first and in the new order."""
    top_ids, top_scores = ids[:WRITE_TOP], scores[:WRITE_TOP]
    stored = (ScreeningItem.objects.filter(review_id=review_id, stage=TA, status=Status.PENDING)
              .aggregate(highest=Max("priority"))["highest"]) or 0.0
    return top_ids, top_scores + max(0.0, stored - float(top_scores.min()) + 1.0)


def _write_priorities(ids: np.ndarray, scores: np.ndarray) -> None:
    """Set each waiting item's priority. On PostgreSQL the pairs go to a temporary table in one
    COPY and one UPDATE joins it: a million rows in seconds where ``bulk_update``'s CASE of 2,000
    ids per statement grows with the square of the batch (BENCHMARKS.md, #30)."""
    if connection.vendor != "postgresql":
        rows = [ScreeningItem(pk=pk, priority=score) for pk, score in zip(ids.tolist(), scores.tolist(), strict=True)]
        ScreeningItem.objects.bulk_update(rows, ["priority"], batch_size=2000)
        return
    table = ScreeningItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE ranking_priority (id bigint, priority double precision) "
                       "ON COMMIT DROP")
        with cursor.cursor.copy("COPY ranking_priority (id, priority) FROM STDIN") as copy:
            for start in range(0, len(ids), 50_000):
                chunk = zip(ids[start:start + 50_000].tolist(), scores[start:start + 50_000].tolist(), strict=True)
                copy.write("".join(f"{pk}\t{score!r}\n" for pk, score in chunk))
        cursor.execute("ANALYZE ranking_priority")
        # Each row found by its primary key: the planner's hash join reads the whole item table
        # (all reviews, and the dead rows of earlier rankings), 116 s for 20,000 rows of a
        # million-record review on a busy disk, against 3 s by the index.
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute(f"UPDATE {table} AS item SET priority = new.priority FROM ranking_priority AS new "  # noqa: S608
                       "WHERE item.id = new.id AND item.priority IS DISTINCT FROM new.priority")
        cursor.execute("SET LOCAL enable_hashjoin = on")
        cursor.execute("SET LOCAL enable_mergejoin = on")
        cursor.execute("DROP TABLE ranking_priority")


class _Phases:
    """Seconds spent in each step of a retrain, for the log (and bench_retrain.py)."""

    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()
        self.seconds: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self.last
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.started

    def __str__(self) -> str:
        return ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.seconds.items())


def ranking_queue_if_due(*, review_id: int) -> RankingRun | None:
    """Queue a retraining when priority screening is on and enough records were settled since the last."""
    cfg = ScreeningSettings.objects.filter(review_id=review_id).first()
    if cfg is None or not cfg.prioritise:
        return None
    with transaction.atomic():
        # One retraining waits at a time; it will see every decision made before it starts. One
        # that looks lost (its task gone with a restarted broker, or its worker) is given up for a
        # new one, or priority screening would stop learning for good.
        waiting = RankingRun.objects.select_for_update().filter(
            review_id=review_id, status__in=[RankingRun.Status.QUEUED, RankingRun.Status.RUNNING]).first()
        if waiting is not None:
            reason = job_lost_reason(waiting)
            if not reason:
                return None
            job_abandon(waiting, reason)
        last = RankingRun.objects.filter(review_id=review_id, status=RankingRun.Status.DONE).first()
        settled = dict(ScreeningItem.objects.filter(review_id=review_id, stage=TA,
                                                    status__in=[Status.INCLUDED, Status.EXCLUDED])
                       .values_list("status").annotate(n=Count("id")).order_by())
        total = sum(settled.values())
        # The first model can be trained as soon as there is one inclusion and one exclusion.
        first_model = (last is not None and not last.trained and settled.get(Status.INCLUDED)
                       and settled.get(Status.EXCLUDED))
        seen = last.decisions_seen if last else 0
        if last is not None and not first_model and total - seen < max(RETRAIN_EVERY, int(RETRAIN_SHARE * seen)):
            return None
        run = RankingRun.objects.create(review_id=review_id)
        job_send(run)
    return run


# ---------------------------------------------------------------- stopping

@transaction.atomic
def screening_stop(*, actor, review: Review, target: float = stopping.DEFAULT_TARGET,
                   confidence: float = stopping.DEFAULT_CONFIDENCE, rule: str = "hypergeometric") -> StoppingDecision:
    """Stop title/abstract screening: every record no one has decided on is excluded by automation.

    With the hypergeometric rule the test must pass at the lead's target and confidence; the
    decay rule (no guarantee, ``stopping.decay_stopping_test``) must allow it at the same target;
    the heuristic rule needs its run of exclusions. Records with a decision already (waiting for a
    second reviewer, or in conflict) are left for people to finish, and so are records without
    title or abstract: the ranking could not judge them, so neither rule says anything of them.
    """
    if rule not in ("hypergeometric", "decay", "consecutive"):
        raise ApplicationError("Unknown stopping rule.")
    if not (0 < target < 1 and 0 < confidence < 1):
        raise ApplicationError("Target recall and confidence must be between 0 and 1 (e.g. 0.95).")
    figures = stopping_figures(review=review, target=target, confidence=confidence)
    if rule == "hypergeometric" and not figures["stop"]:
        raise ApplicationError(f"The test does not allow stopping yet: p = {figures['p_value']:.3g}, which must be "
                               f"below {1 - confidence:.2g} for {target:.0%} recall at {confidence:.0%} confidence.")
    if rule == "decay" and not figures["decay_stop"]:
        raise ApplicationError(f"The decay rule does not allow stopping yet: it needs the ranking to have run dry "
                               f"({figures['run_needed']} exclusions in a row), {figures['decay_quiet_needed']} "
                               f"exclusions since the last inclusion (now {figures['run']}), the ranked test's p "
                               f"below {figures['decay_p']:g} and at least {target:.0%} of the inclusions found by "
                               f"its bound on those left.")
    if rule == "consecutive" and figures["run"] < figures["run_needed"]:
        raise ApplicationError(f"Only {figures['run']} exclusions in a row; the heuristic needs "
                               f"{figures['run_needed']}.")
    untouched = (ScreeningItem.objects.select_for_update()
                 .filter(review=review, stage=TA, status=Status.PENDING, decisions_count=0)
                 .exclude(WORDLESS))
    marked = untouched.update(status=Status.AUTOMATION_EXCLUDED, settled_at=timezone.now())
    label = {"hypergeometric": "hypergeometric stopping test (Callaghan & Müller-Hansen 2020)",
             "decay": (f"decay rule (ranked test p < {figures['decay_p']:g}, a fitted rate of inclusions and "
                       f"{figures['decay_quiet_needed']} exclusions since the last inclusion; no guarantee)"),
             "consecutive": f"{figures['run_needed']} consecutive exclusions (heuristic, no guarantee)"}[rule]
    decision = StoppingDecision.objects.create(
        review=review, rule=label, target_recall=target, confidence=confidence,
        p_value=figures["p_value"] if rule != "consecutive" else None, screened=figures["screened"],
        included_found=figures["found"], marked_excluded=marked, details=figures, decided_by=actor)
    audit_record(actor=actor, review=review, action=AuditEvent.Action.CREATE, instance=decision,
                 after=snapshot(decision, exclude=("decided_at",)),
                 label=f"screening stopped: {marked} {ngettext('record', 'records', marked)} excluded by automation")
    return decision
