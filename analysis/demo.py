"""The demo review's analyses: one per outcome with the default settings (random effects, REML,
controlled designs only), run in the foreground so the demo shows results. Loading twice changes
nothing: an analysis whose last run is up to date is not run again."""
from __future__ import annotations

from . import selectors, services


def demo_analyses_load(*, review, lead) -> None:
    services.analyses_create_defaults(actor=lead, review=review)
    for analysis in selectors.analyses_list(review=review):
        overview = selectors.analysis_overview(analysis=analysis)
        if overview.latest_done is not None and not overview.staleness.stale:
            continue
        run = services.analysis_run_request(actor=lead, analysis=analysis, enqueue=False)
        services.analysis_run_execute(run_id=run.pk)
