"""Pages for reviews, their protocol, team (with invitations) and audit trail. Each view: access check, one
service or selector, render."""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services
from .audit_display import describe
from .dashboard import dashboard_stages, stage_reached
from .exceptions import ApplicationError
from .forms import (
    ApiTokenForm,
    AuditFilterForm,
    InvitationForm,
    InvitationSignupForm,
    MemberRolesForm,
    OutcomeForm,
    ReviewForm,
    WebhookForm,
)
from .invitation_rules import invitation_acceptance_refusal, invitation_new_account_allowed
from .models import Invitation, Outcome, Webhook
from .page_access import public_page, review_page, signed_in_page
from .pages import query_without_page, review_page_context
from .permissions import can, reviews_for_user
from .throttle import client_address


@signed_in_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "reviewapp/home.html", {
        "rows": selectors.review_list(user=request.user), "invitations": selectors.invitations_for(user=request.user)})


@signed_in_page
def review_create(request: HttpRequest) -> HttpResponse:
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        review = services.review_create(creator=request.user, **form.cleaned_data)
        messages.success(request, "Review created. You are its lead.")
        return redirect("review_dashboard", review.pk)
    return render(request, "reviewapp/review_form.html", {"form": form, "creating": True})


@review_page(GET="view")
def review_dashboard(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    stages = dashboard_stages(review=review, user=request.user, roles=review.user_roles)
    todos = [todo for stage in stages for todo in stage.todos]
    return render(request, "reviewapp/dashboard.html",
                  review_page_context(review, stages=stages, todos=todos,
                                      stage_reached=stage_reached(review=review, stages=stages),
                                      may_export_review=can(roles=review.user_roles, capability="export_review"),
                                      may_edit_review=can(roles=review.user_roles, capability="edit_review")))


@review_page(GET="edit_review", POST="edit_review")
def review_edit(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    form = ReviewForm(request.POST or None, instance=review)
    if request.method == "POST" and form.is_valid():
        # The form has validated the values; the service applies and audits them.
        review.refresh_from_db()
        services.review_update(actor=request.user, review=review, **form.cleaned_data)
        messages.success(request, "Protocol saved.")
        return redirect("review_dashboard", review.pk)
    return render(request, "reviewapp/review_form.html", review_page_context(review, form=form))


@review_page(GET="view", POST="edit_review")
def review_outcomes(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    may_edit = can(roles=review.user_roles, capability="edit_review")
    form = OutcomeForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        services.outcome_create(actor=request.user, review=review, **form.cleaned_data)
        messages.success(request, f"Outcome “{form.cleaned_data['name']}” added.")
        return redirect("review_outcomes", review.pk)
    return render(request, "reviewapp/outcomes.html", review_page_context(
        review, outcomes=review.outcomes.all(), form=form if may_edit else None))


@review_page(GET="edit_review", POST="edit_review")
def outcome_edit(request: HttpRequest, review_id: int, outcome_id: int) -> HttpResponse:
    review = request.review
    outcome = get_object_or_404(Outcome, pk=outcome_id, review=review)
    if request.method == "POST" and request.POST.get("delete"):
        try:
            services.outcome_delete(actor=request.user, outcome=outcome)
            messages.success(request, f"Outcome “{outcome.name}” deleted.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("review_outcomes", review.pk)
    form = OutcomeForm(request.POST or None, instance=outcome, review=review)
    if request.method == "POST" and form.is_valid():
        outcome.refresh_from_db()
        services.outcome_update(actor=request.user, outcome=outcome, **form.cleaned_data)
        messages.success(request, "Outcome saved.")
        return redirect("review_outcomes", review.pk)
    return render(request, "reviewapp/outcome_form.html", review_page_context(review, form=form, outcome=outcome))


@review_page(GET="view", POST="manage_members")
def review_members(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    if request.method == "POST":
        return _invite(request, review)
    return _members_page(request, review, may_manage=can(roles=review.user_roles, capability="manage_members"))


def _members_page(request: HttpRequest, review, *, may_manage: bool, invite_form=None) -> HttpResponse:
    """The team page; leads also see the open invitations and the form to invite someone."""
    context = {"members": selectors.members_with_roles(review=review), "role_form": MemberRolesForm(),
               "may_manage": may_manage}
    if may_manage:
        context.update(invite_form=invite_form or InvitationForm(),
                       invitations=selectors.invitations_pending(review=review),
                       invitation_days=settings.INVITATION_DAYS)
    return render(request, "reviewapp/members.html", review_page_context(review, **context))


@review_page(POST="manage_members")
def member_roles(request: HttpRequest, review_id: int, user_id: int) -> HttpResponse:
    review = request.review
    member = selectors.member_get(review=review, user_id=user_id)
    form = MemberRolesForm(request.POST)
    if form.is_valid():
        try:
            services.member_roles_set(actor=request.user, review=review, user=member,
                                      roles=form.cleaned_data["roles"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Roles of {member.get_username()} saved.")
    else:
        messages.error(request, "Unknown role.")
    return redirect("review_members", review.pk)


def _audit_filtered(request: HttpRequest, review):
    form = AuditFilterForm(request.GET or None,
                           kinds=selectors.audit_kinds(review=review))
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events(review=review, **{k: v for k, v in filters.items() if v})
    return form, events


@review_page(GET="read_audit")
def audit_log(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    form, events = _audit_filtered(request, review)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    names: dict = {}
    entries = [(event, describe(event, names)) for event in page]
    return render(request, "reviewapp/audit.html", review_page_context(
        review, form=form, page=page, entries=entries, query=query_without_page(request)))


@review_page(GET="read_audit")
def audit_export(request: HttpRequest, review_id: int) -> StreamingHttpResponse:
    review = request.review
    _, events = _audit_filtered(request, review)
    response = StreamingHttpResponse(selectors.audit_csv_rows(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="review-{review.pk}-audit.csv"'
    return response


# Invitations ---------------------------------------------------------------------------------

def invitation_sent_message(invitation: Invitation) -> str:
    """What the lead is told: the same words whether or not the name or address has an account."""
    return (f"“{invitation.invitee}” is invited as {', '.join(invitation.role_labels)}, until "
            f"{invitation.expires_at:%d %b %Y}. They join when they accept: an account sees the invitation "
            "when it signs in, and an address gets a link by e-mail.")


@review_page(POST="manage_members")
def member_invite(request: HttpRequest, review_id: int) -> HttpResponse:
    return _invite(request, request.review)


def _invite(request: HttpRequest, review) -> HttpResponse:
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.user, review=review, identifier=form.cleaned_data["identifier"],
                roles=form.cleaned_data["roles"], site_url=request.build_absolute_uri("/"))
        except ApplicationError as exc:
            form.add_error(exc.extra.get("field"), exc.message)
        else:
            messages.success(request, invitation_sent_message(invitation))
            return redirect("review_members", review.pk)
    # Shown again on the team page with the errors beside the fields.
    return _members_page(request, review, may_manage=True, invite_form=form)


@review_page(POST="manage_members")
def invitation_revoke(request: HttpRequest, review_id: int, invitation_id: int) -> HttpResponse:
    review = request.review
    invitation = get_object_or_404(Invitation, pk=invitation_id, review=review)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Invitation of {invitation.invitee} revoked; it can no longer be accepted.")
    return redirect("review_members", review.pk)


def _invitation_refused(request: HttpRequest, state: str) -> HttpResponse:
    # 404 for a token we never issued; 410 Gone for one that was good once.
    return render(request, "reviewapp/invitation_unusable.html",
                  {"state": state, "message": services.INVITATION_REFUSALS[state]},
                  status=404 if state == "unknown" else 410)


def _joined(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    messages.success(request, f"Welcome to “{invitation.review.title}”. Your roles: "
                              f"{', '.join(invitation.role_labels)}.")
    return redirect("review_dashboard", invitation.review_id)


@public_page
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page an e-mailed link opens: join with the signed-in account if the invitation is
    its own (invitation_rules), or create the account of the invited address."""
    invitation = selectors.invitation_by_token(token=token)
    state = invitation.state if invitation else "unknown"
    if state != Invitation.State.OPEN:
        return _invitation_refused(request, state)
    user = request.user
    form, refusal = None, None
    if user.is_authenticated:
        refusal = invitation_acceptance_refusal(invitation=invitation, user=user, holds_link=True)
        if request.method == "POST" and not refusal:
            try:
                services.invitation_accept(token=token, user=user)
            except services.InvitationUnusable as exc:
                return _invitation_refused(request, exc.state)
            return _joined(request, invitation)
    elif invitation_new_account_allowed(invitation=invitation):
        form = InvitationSignupForm(request.POST or None, email=invitation.email)
        if request.method == "POST" and form.is_valid():
            try:
                user = services.invitation_accept_new_account(
                    token=token, username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"])
            except services.InvitationUnusable as exc:
                return _invitation_refused(request, exc.state)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                login(request, user)
                return _joined(request, invitation)
    return render(request, "reviewapp/invitation_accept.html",
                  {"invitation": invitation, "form": form, "invited_review": invitation.review,
                   "refusal": refusal}, status=403 if refusal else 200)


@signed_in_page
@require_POST
def invitation_answer(request: HttpRequest, invitation_id: int, answer: str) -> HttpResponse:
    """Accept or decline, from the home page, an invitation addressed to one's account."""
    invitation = get_object_or_404(selectors.invitations_for(user=request.user), pk=invitation_id)
    try:
        if answer == "accept":
            services.invitation_accept(user=request.user, invitation_id=invitation.pk)
            return _joined(request, invitation)
        services.invitation_decline(user=request.user, invitation_id=invitation.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"You declined to join “{invitation.review.title}”.")
    return redirect("home")


# Personal API tokens and webhooks ----------------------------------------------------------

@signed_in_page
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Create (the key is shown this once), list and revoke one's own API tokens."""
    reviews = reviews_for_user(user=request.user).order_by("title")
    form = ApiTokenForm(request.POST or None, reviews=reviews)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_key = services.api_token_create(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(exc.extra.get("field"), exc.message)
        else:
            form = ApiTokenForm(reviews=reviews)
    return render(request, "reviewapp/api_tokens.html", {
        "form": form, "new_key": new_key, "tokens": selectors.api_tokens_of(user=request.user),
        "api_root": request.build_absolute_uri("/api/v1/")})


@signed_in_page
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.api_token_revoke(user=request.user, token_id=token_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Token “{token.name}” revoked; it no longer works.")
    return redirect("api_tokens")


@review_page(GET="manage_webhooks", POST="manage_webhooks")
def webhooks(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hook = services.webhook_create(actor=request.user, review=review, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(exc.extra.get("field"), exc.message)
        else:
            messages.success(request, f"Webhook to {hook.url} registered. Its secret is below.")
            return redirect("webhook_detail", review.pk, hook.pk)
    return render(request, "reviewapp/webhooks.html", review_page_context(
        review, form=form, hooks=selectors.webhooks_of(review=review)))


@review_page(GET="manage_webhooks", POST="manage_webhooks")
def webhook_detail(request: HttpRequest, review_id: int, webhook_id: int) -> HttpResponse:
    review = request.review
    hook = get_object_or_404(Webhook, pk=webhook_id, review=review)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "delete":
                services.webhook_delete(actor=request.user, webhook=hook)
                messages.success(request, f"Webhook to {hook.url} deleted.")
                return redirect("webhooks", review.pk)
            if action in ("pause", "resume"):
                services.webhook_update(actor=request.user, webhook=hook, active=action == "resume")
                messages.success(request, "Webhook resumed." if action == "resume" else "Webhook paused.")
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("webhook_detail", review.pk, hook.pk)
    page = Paginator(hook.deliveries.all(), 50).get_page(request.GET.get("page"))
    return render(request, "reviewapp/webhook_detail.html", review_page_context(
        review, hook=hook, page=page))


# Accounts --------------------------------------------------------------------------------------

class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's view; a completed reset also lifts the account's sign-in pauses."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.signin_pauses_clear_after_reset(user=form.user, address=client_address(self.request))
        return response
