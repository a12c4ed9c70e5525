"""Reads for review pages: membership lists, invitations and the audit trail."""
from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .audit_display import describe, kind_name
from .models import (
    ApiToken,
    ArchiveExport,
    ArchiveImport,
    AuditEvent,
    Invitation,
    Membership,
    Review,
    Webhook,
    invitation_token_hash,
)
from .permissions import archive_imports_for_user, reviews_for_user
from .tabular import csv_writer


@dataclass
class ReviewRow:
    review: Review
    stage: str
    last_change: datetime
    imported: bool


def review_list(*, user) -> list[ReviewRow]:
    """The reviews a person belongs to, most recently changed first: where each stands (from its
    dashboard stages), its last change (the newest entry of its audit trail, which imports,
    screening and extraction all write), and whether it is a copy imported from an archive."""
    from .dashboard import dashboard_stages, stage_reached
    from .permissions import roles_of

    imported = AuditEvent.objects.filter(review=OuterRef("pk"), object_type="reviewapp.Review",
                                         action=AuditEvent.Action.CREATE, after__has_key="imported_from")
    reviews = (reviews_for_user(user=user)
               .annotate(last_event=Max("audit_events__created_at"), imported=Exists(imported)))
    rows = []
    for review in reviews:
        stages = dashboard_stages(review=review, user=user, roles=roles_of(user=user, review=review))
        rows.append(ReviewRow(review=review, stage=stage_reached(review=review, stages=stages),
                              last_change=max(filter(None, (review.last_event, review.updated_at))),
                              imported=review.imported))
    return sorted(rows, key=lambda row: row.last_change, reverse=True)


def outcome_directions(*, review: Review) -> dict[str, bool]:
    """Each outcome's name and whether higher values favour the intervention."""
    return {o.name: o.higher_favours for o in review.outcomes.all()}


def members_with_roles(*, review: Review) -> list[dict]:
    """One row per person: the user and the roles they hold."""
    rows: dict[int, dict] = {}
    by_user = defaultdict(set)
    for m in Membership.objects.filter(review=review).select_related("user"):
        rows.setdefault(m.user_id, {"user": m.user, "roles": []})
        by_user[m.user_id].add(m.role)
    order = list(Membership.Role.values)
    for user_id, row in rows.items():
        row["roles"] = sorted(by_user[user_id], key=order.index)
    return sorted(rows.values(), key=lambda r: r["user"].get_username().lower())


def member_get(*, review: Review, user_id: int):
    """A member of the review (404 otherwise). One row even for someone holding several roles."""
    members = Membership.objects.filter(review=review).values("user_id")
    return get_object_or_404(get_user_model(), pk=user_id, pk__in=members)


def reviews_led_only_by(*, user) -> list[Review]:
    """The reviews in which ``user`` is the one and only lead."""
    led = Membership.objects.filter(user=user, role=Membership.Role.LEAD).values("review_id")
    others = (Membership.objects.filter(review_id__in=led, role=Membership.Role.LEAD)
              .exclude(user=user).values("review_id"))
    return list(Review.objects.filter(pk__in=led).exclude(pk__in=others).order_by("title"))


def invitations_pending(*, review: Review) -> QuerySet[Invitation]:
    """Invitations not yet accepted, declined or revoked, expired ones included, soonest expiry first."""
    return (Invitation.objects.pending().filter(review=review).select_related("invited_by")
            .order_by("expires_at", "id"))


def invitations_for(*, user) -> QuerySet[Invitation]:
    """The open invitations addressed to ``user``'s account, soonest expiry first."""
    return (Invitation.objects.pending().filter(user=user, expires_at__gt=timezone.now())
            .select_related("review", "invited_by").order_by("expires_at", "id"))


def invitation_by_token(*, token: str) -> Invitation | None:
    """The invitation a link's token belongs to (in any state), or None."""
    return (Invitation.objects.select_related("review", "invited_by")
            .filter(token_hash=invitation_token_hash(token)).first())


def audit_events(
    *,
    review: Review,
    action: str | None = None,
    object_type: str | None = None,
    actor: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(review=review).select_related("actor")
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if actor:
        events = events.filter(actor_label__iexact=actor)
    if since:
        events = events.filter(created_at__date__gte=since)
    if until:
        events = events.filter(created_at__date__lte=until)
    return events


def audit_object_types(*, review: Review) -> list[str]:
    return list(AuditEvent.objects.filter(review=review).order_by("object_type")
                .values_list("object_type", flat=True).distinct())


AUDIT_CSV_HEADER = ["time (UTC)", "who", "action", "kind", "object id", "what happened", "changes",
                    "before (as stored)", "after (as stored)"]


def audit_csv_rows(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The events as CSV text, a line at a time, for a streaming download. The stored snapshots
    stay in the last two columns, as evidence for whoever checks the trail."""
    import json

    buffer = io.StringIO()
    writer = csv_writer(buffer)  # neutralises formula-like cells (a title may come from an upload)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(AUDIT_CSV_HEADER)
    yield flush()
    names: dict = {}
    for e in events.iterator(chunk_size=2000):
        shown = describe(e, names)
        writer.writerow([
            e.created_at.isoformat(), e.actor_label, e.get_action_display(), shown.kind, e.object_id,
            shown.summary, "; ".join(_change_text(e, c) for c in shown.changes),
            json.dumps(e.before, ensure_ascii=False) if e.before is not None else "",
            json.dumps(e.after, ensure_ascii=False) if e.after is not None else "",
        ])
        yield flush()


def _change_text(event: AuditEvent, change) -> str:
    if event.action == AuditEvent.Action.UPDATE:
        return f"{change.label}: {change.before} -> {change.after}"
    return f"{change.label}: {change.after if event.action == AuditEvent.Action.CREATE else change.before}"


def audit_kinds(*, review: Review) -> list[tuple[str, str]]:
    """The kinds of object in the review's trail, as (stored label, name in words) for the filter."""
    return sorted(((t, kind_name(t)) for t in audit_object_types(review=review)), key=lambda pair: pair[1])


def api_tokens_of(*, user) -> QuerySet[ApiToken]:
    """A person's API tokens, active ones first, newest first."""
    return ApiToken.objects.filter(user=user).select_related("review").order_by("revoked_at", "-created_at", "-id")


def webhooks_of(*, review: Review) -> QuerySet[Webhook]:
    from django.db.models import Count, Max, Q

    return (Webhook.objects.filter(review=review)
            .annotate(delivered=Count("deliveries", filter=Q(deliveries__status="delivered")),
                      failed=Count("deliveries", filter=Q(deliveries__status="failed")),
                      last_sent=Max("deliveries__last_attempt_at"))
            .order_by("id"))


# The largest id a database's bigint holds: a bigger one in a URL is simply not found.
_ID_LIMIT = 2**63 - 1


def archive_exports_of(*, review: Review) -> QuerySet[ArchiveExport]:
    return ArchiveExport.objects.filter(review=review).select_related("requested_by", "review")


def archive_export_get(*, review: Review, export_id: int) -> ArchiveExport:
    if not 0 < export_id <= _ID_LIMIT:
        raise Http404("No such archive.")
    return get_object_or_404(archive_exports_of(review=review), pk=export_id)


def archive_imports_of(*, user, token=None) -> QuerySet[ArchiveImport]:
    """The archive imports ``user`` uploaded, newest first, with the review each made."""
    return archive_imports_for_user(user=user, token=token).select_related("review")


def archive_import_get(*, user, import_id: int, token=None) -> ArchiveImport:
    """One of ``user``'s archive imports; 404 for anyone else's."""
    if not 0 < import_id <= _ID_LIMIT:
        raise Http404("No such import.")
    return get_object_or_404(archive_imports_of(user=user, token=token), pk=import_id)


def archive_import_progress(*, job: ArchiveImport) -> dict:
    """How far an import has got: while it runs its rows are not committed, so the worker shares
    its count through the cache (see archive.services)."""
    data = {"percent": 100 if job.status == ArchiveImport.Status.DONE else job.progress,
            "objects": job.objects_count}
    if job.status == ArchiveImport.Status.RUNNING:
        data.update(cache.get(archive_import_progress_key(job.pk)) or {})
    return data


def archive_import_progress_key(import_id: int) -> str:
    return f"reviewapp:archive-import-progress:{import_id}"
