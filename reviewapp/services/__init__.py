"""Writes of reviewapp: the review and its protocol, outcomes, members and roles, invitations,
sign-in pauses, personal API tokens and webhooks, one module per concern. Each change is audited in
the same transaction. As ``screening.services`` and ``extraction.services``, the package's names are
the app's writes, the interface callers use (``services.<name>``)."""
from .invitations import (
    IDENTIFIER_MAX_CHARS,
    INVITATION_REFUSALS,
    INVITATION_SNAPSHOT_EXCLUDE,
    InvitationRefused,
    InvitationUnusable,
    invitation_accept,
    invitation_accept_new_account,
    invitation_create,
    invitation_decline,
    invitation_notice_send,
    invitation_revoke,
)
from .members import (
    ROLES_REQUIRED,
    member_roles_set,
    membership_create,
    user_delete_check,
)
from .outcomes import (
    outcome_create,
    outcome_delete,
    outcome_name_clean,
    outcome_update,
)
from .reviews import (
    REVIEW_FIELDS,
    review_create,
    review_update,
)
from .signin import (
    signin_lockout_record,
    signin_pauses_clear_after_reset,
)
from .tokens import (
    API_TOKEN_MAX_DAYS,
    API_TOKEN_PREFIX_CHARS,
    api_token_create,
    api_token_revoke,
)
from .webhooks import (
    WEBHOOK_FIELDS,
    WEBHOOK_SNAPSHOT_EXCLUDE,
    webhook_create,
    webhook_delete,
    webhook_update,
)

__all__ = [
    "IDENTIFIER_MAX_CHARS", "INVITATION_REFUSALS", "INVITATION_SNAPSHOT_EXCLUDE", "InvitationRefused",
    "InvitationUnusable", "invitation_accept", "invitation_accept_new_account", "invitation_create",
    "invitation_decline", "invitation_notice_send", "invitation_revoke", "ROLES_REQUIRED", "member_roles_set",
    "membership_create", "user_delete_check", "outcome_create", "outcome_delete", "outcome_name_clean",
    "outcome_update", "REVIEW_FIELDS", "review_create", "review_update", "signin_lockout_record",
    "signin_pauses_clear_after_reset", "API_TOKEN_MAX_DAYS", "API_TOKEN_PREFIX_CHARS", "api_token_create",
    "api_token_revoke", "WEBHOOK_FIELDS", "WEBHOOK_SNAPSHOT_EXCLUDE", "webhook_create", "webhook_delete",
    "webhook_update"
]
