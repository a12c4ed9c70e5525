"""What the screening API's modules share: the stages and the stage check of a URL."""
from __future__ import annotations

from django.http import Http404

from ..models import (
    ScreeningItem,
    ScreeningStage,
)

STAGES = dict(ScreeningStage.choices)
ItemStatus = ScreeningItem.Status


def stage_or_404(stage: str) -> str:
    if stage not in STAGES:
        raise Http404("No such screening stage: use ta (title and abstract) or ft (full text).")
    return stage
