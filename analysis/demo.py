"""The demo review's analyses: one per outcome with the default settings (random effects, REML,
controlled designs only), run in the foreground so the demo shows results. Loading twice changes
nothing: an analysis whose last run used the current data is not run again, and one with fewer
than two studies to pool (the demo's studies not yet extracted) waits for them."""
from __future__ import annotations

from . import selectors, services


def demo_analyses_load(*, review, lead) -> None:
    services.analyses_create_defaults(actor=lead, review=review)
    for analysis in selectors.analyses_list(review=review):
        current = selectors.analysis_inputs(analysis=analysis)
        latest = selectors.last_run(analysis=analysis)
        if len(current.studies) < 2 or (latest is not None and latest.input_hash == current.hash):
            continue
        run = services.analysis_run_request(actor=lead, analysis=analysis, enqueue=False)
        services.analysis_run_execute(run_id=run.pk)
