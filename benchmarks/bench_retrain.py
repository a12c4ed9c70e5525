"""One ranking retrain of a review of 100,000 or 1,000,000 records on PostgreSQL, phase by phase.

Sets up one review whose records are written straight into PostgreSQL with COPY (setup in
seconds, not the import's minutes): the texts of the 20 labelled screening sets
(``$SCREENING_DATA``, default ../shared/data/screening) tiled to --records, a copy number
appended to each so no two are equal, with --labelled settled title/abstract records (10 % of
them included, each settled in turn) and the rest waiting; priority screening on and a protocol
(title, question, criteria). Then runs the app's ranking job (``screening.services.ranking``,
the Celery task's body) in a fresh process per retrain, so each peak RSS is the job's alone:

  cold      no saved features: the job builds them (a review's first ranking, or after an import)
  restart   a worker that starts afresh: the features come from the review's file
  again     --more further records settled, the job run twice in one worker (the second
            retrain is the one a busy review repeats every 1 % of its settled records)

Prints the seconds of each phase the job logs (reading the decisions, features, protocol,
fit + scoring, writing the priorities), peak RSS (ru_maxrss) and the load average.

    .venv/bin/python benchmarks/bench_retrain.py --records 100000 --db retrain_100k
    .venv/bin/python benchmarks/bench_retrain.py --records 1000000 --db retrain_1m
    .venv/bin/python benchmarks/bench_retrain.py --reuse --db retrain_1m --steps restart,again
    .venv/bin/python benchmarks/bench_retrain.py --reuse --db retrain_1m --steps tile,restart,again \
        --tile-from /tmp/bench-retrain-features/retrain_100k/review-1.npz

"tile" stands in for "cold" where the cold build would take too long: the 100,000-record review's
features (built from the same tiled texts) repeated to the size of this review and saved under
the key the job computes, with its protocol scores likewise. The rows hold as many values as
built ones, so loading, fitting, scoring and writing cost what they would; the vocabulary is the
smaller review's, and a row's features are not its own record's (the ranking means nothing).

Needs PostgreSQL with trust auth on 127.0.0.1; without --reuse the database is dropped and created
(without the trigram indexes of the records' texts, which the ranking never reads).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("SCREENING_DATA", ROOT.parent / "shared" / "data" / "screening"))
FEATURES_DIR = Path(tempfile.gettempdir()) / "bench-retrain-features"


def _env(db: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
            "DJANGO_SETTINGS_MODULE": "reviewapp.settings.base", "DEBUG": "0",
            "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdef", "LOG_LEVEL": "WARNING",
            "RANKING_FEATURES_DIR": str(FEATURES_DIR / db), "OMP_NUM_THREADS": "1"}


def _texts() -> list[tuple[str, str]]:
    """(title, abstract) of every record of the labelled sets."""
    import csv

    rows: list[tuple[str, str]] = []
    for path in sorted(DATA.rglob("*.csv*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                rows.append((row.get("title") or "", row.get("abstract") or ""))
    return rows


def setup(records: int, labelled: int) -> None:
    """Child: one review with ``records`` records and screening items, COPY'd in."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from reviewapp import services as review_services
    from screening.models import Record, ScreeningItem, ScreeningSettings, Search, SearchFile

    user = get_user_model().objects.create_user("bench")
    review = review_services.review_create(
        creator=user, title="Antidepressants and anxiety drugs in adults: randomised trials",
        question="Do drug treatments improve outcomes in adults compared with placebo?")
    ScreeningSettings.objects.update_or_create(review=review, defaults={
        "prioritise": True, "criteria": "Randomised controlled trials of drug treatment in adults."})
    search = Search.objects.create(review=review, database="Bench", date_run="2024-01-01", query="bench")
    search_file = SearchFile.objects.create(search=search, file="bench.ris", original_name="bench.ris",
                                            sha256="0" * 64, status="done")
    base = _texts()
    now = timezone.now().isoformat()
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        # The records' word index (title, authors, abstract) serves the records list's search, never
        # the ranking; kept, it makes the COPY of a million texts take far longer on a busy machine.
        cursor.execute("DROP INDEX IF EXISTS record_words")
        first = (Record.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        with cursor.cursor.copy("COPY screening_record (id, review_id, number, search_file_id, search_id, "
                                "title, abstract, authors, journal, volume, issue, pages, doi, pmid, issn, "
                                "keywords, language, publication_type, url, raw, created_at) FROM STDIN") as copy:
            for i in range(records):
                title, abstract = base[i % len(base)]
                copy.write_row((first + i, review.pk, i + 1, search_file.pk, search.pk,
                                f"{title} copy{i // len(base)}", abstract, "[]", "", "", "", "", "", "", "",
                                "[]", "", "", "", "", now))
        cursor.execute("SELECT setval(pg_get_serial_sequence('screening_record', 'id'), %s)",
                       [first + records])
        rng = random.Random(7)
        settled = set(rng.sample(range(records), labelled))
        with cursor.cursor.copy("COPY screening_screeningitem (review_id, record_id, stage, status, "
                                "decisions_count, priority, reason, resolution_note, settled_at, created_at) "
                                "FROM STDIN") as copy:
            for i in range(records):
                if i in settled:
                    status = "included" if rng.random() < 0.1 else "excluded"
                    copy.write_row((review.pk, first + i, "ta", status, 1, 0.0, "", "", now, now))
                else:
                    copy.write_row((review.pk, first + i, "ta", "pending", 0, 0.0, "", "", None, now))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE screening_record")
        cursor.execute("VACUUM ANALYZE screening_screeningitem")
    print(json.dumps({"records": Record.objects.filter(review=review).count(),
                      "settled": ScreeningItem.objects.filter(review=review).exclude(status="pending").count(),
                      "copy_seconds": round(time.perf_counter() - start, 1)}))


def retrain(times: int, more: int) -> None:
    """Child: run the ranking job ``times`` times in this process, settling ``more`` records before
    each retrain after the first, and print each run's phases."""
    import logging
    import resource

    import django

    django.setup()
    from reviewapp.models import Review
    from screening.models import RankingRun, ScreeningItem
    from screening.services import ranking

    phases: list[dict] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if hasattr(record, "phases"):
                phases.append(record.phases)

    logger = logging.getLogger("screening.services.ranking")
    logger.addHandler(Keep())
    logger.setLevel(logging.INFO)
    review = Review.objects.order_by("-id").first()
    assert review is not None
    for attempt in range(times):
        if attempt:
            waiting = list(ScreeningItem.objects.filter(review=review, status="pending")
                           .order_by("-priority", "id").values_list("id", flat=True)[:more])
            # The reviewers settle the top of the ranking, one in ten an inclusion.
            ScreeningItem.objects.filter(pk__in=waiting[::10]).update(status="included", decisions_count=1)
            ScreeningItem.objects.filter(pk__in=waiting).exclude(status="included").update(
                status="excluded", decisions_count=1)
        run = RankingRun.objects.create(review=review)
        wall = time.perf_counter()
        run = ranking.ranking_refresh(run_id=run.pk)
        assert run.status == "done", run.error
        print(json.dumps({"retrain": attempt + 1, "wall": round(time.perf_counter() - wall, 2),
                          "phases": {k: round(v, 2) for k, v in phases[-1].items()},
                          "decisions_seen": run.decisions_seen, "ranked": run.ranked,
                          "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                          "load": os.getloadavg()[0]}))


def tile(source: str) -> None:
    """Child: the review's kept features (and protocol scores) made by repeating those of a smaller
    review of the same texts (``source``: its features file), saved under the key the job computes,
    so the job at a million records can be timed without first waiting for its cold build."""
    import django

    django.setup()
    import scipy.sparse as sp
    from django.conf import settings

    from reviewapp.models import Review
    from screening.prioritise import FeatureOptions, ModelOptions, Prioritiser
    from screening.prioritise.storage import load_mapped
    from screening.services import ranking

    review = Review.objects.order_by("-id").first()
    assert review is not None
    ids, _ = ranking._labels_and_items(review.pk)
    key = ranking._records_key(review, ids)
    saved = load_mapped(source)
    small = sp.csr_matrix((saved["data"], saved["indices"], saved["indptr"]), shape=tuple(saved["shape"]))
    copies = -(-len(ids) // small.shape[0])
    tiled = Prioritiser.__new__(Prioritiser)
    tiled.features = sp.vstack([small] * copies, format="csr")[:len(ids)]
    tiled.wordless = np.tile(saved["wordless"], copies)[:len(ids)]
    tiled.feature_options, tiled.model_options = FeatureOptions(), ModelOptions()
    folder = Path(settings.RANKING_FEATURES_DIR)
    tiled.save(folder / f"review-{review.pk}.npz", key)
    prior = Path(source).with_name(Path(source).name.replace(".npz", ".protocol.npz"))
    if prior.exists():
        protocol = ranking.review_protocol(review)
        prior_key = f"{key} protocol {hashlib.sha256(repr(protocol).encode('utf-8')).hexdigest()}"
        scores = np.tile(np.load(prior)["scores"], copies)[:len(ids)]
        np.savez(folder / f"review-{review.pk}.protocol.npz", key=np.array(prior_key), scores=scores)
    print(json.dumps({"tiled": copies, "rows": tiled.features.shape[0], "nnz": int(tiled.features.nnz)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--labelled", type=int, default=3_000, help="settled records at the start")
    parser.add_argument("--more", type=int, default=500, help="records settled between two retrains in 'again'")
    parser.add_argument("--db", default="retrain_bench")
    parser.add_argument("--reuse", action="store_true", help="keep the database (and saved features) as they are")
    parser.add_argument("--steps", default="cold,restart,again")
    parser.add_argument("--tile-from", help="features file of a smaller review of the same texts: step 'tile' "
                        "repeats it to this review's size instead of building the features")
    parser.add_argument("--child-setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-retrain", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-tile", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_setup:
        return setup(args.records, args.labelled)
    if args.child_tile:
        return tile(args.child_tile)
    if args.child_retrain:
        return retrain(args.child_retrain, args.more)
    env = _env(args.db)
    if not args.reuse:
        for sql in (f"DROP DATABASE IF EXISTS {args.db}", f"CREATE DATABASE {args.db}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], check=True, env=env, cwd=ROOT)
        subprocess.run([sys.executable, __file__, "--child-setup", "--records", str(args.records),
                        "--labelled", str(args.labelled)], check=True, env=env, cwd=ROOT)
    folder = FEATURES_DIR / args.db
    for step in filter(None, args.steps.split(",")):
        if step == "cold":
            for path in folder.glob("*"):
                path.unlink()
        print(f"{step} (load average {os.getloadavg()[0]:.1f})", flush=True)
        if step == "tile":
            subprocess.run([sys.executable, __file__, "--child-tile", args.tile_from], check=True, env=env, cwd=ROOT)
            continue
        times = 2 if step == "again" else 1
        subprocess.run([sys.executable, __file__, "--child-retrain", str(times), "--more", str(args.more)],
                       check=True, env=env, cwd=ROOT)


if __name__ == "__main__":
    main()
