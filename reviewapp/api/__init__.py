"""The API of reviews, one module per resource: the reviews themselves, their outcomes, members and roles,
invitations, the audit trail, webhooks, who am I and the schema. Each view: access check (`ReviewApiView`),
one service or selector, serialize. The URL conf reads the views from this package.
"""
from .audit import (  # noqa: F401
    AuditEventSerializer,
    AuditFilter,
    AuditListApi,
)
from .invitations import (  # noqa: F401
    InvitationFilter,
    InvitationInputSerializer,
    InvitationListApi,
    InvitationRevokeApi,
)
from .members import (  # noqa: F401
    MemberAddSerializer,
    MemberDetailApi,
    MemberFilter,
    MemberListApi,
    MemberSerializer,
    RolesSerializer,
)
from .outcomes import (  # noqa: F401
    ArchiveExportSerializer,
    InvitationSerializer,
    OutcomeDetailApi,
    OutcomeListApi,
    OutcomeSerializer,
    ReviewArchiveAgainApi,
    ReviewArchiveApi,
    ReviewArchiveCancelApi,
    ReviewArchiveFileApi,
    ReviewArchiveListApi,
)
from .reviews import (  # noqa: F401
    AccountListApi,
    ReviewDetailApi,
    ReviewFilter,
    ReviewInputSerializer,
    ReviewListApi,
    ReviewSerializer,
)
from .schema import (  # noqa: F401
    SchemaApi,
)
from .webhooks import (  # noqa: F401
    WebhookCreatedSerializer,
    WebhookDeliveryListApi,
    WebhookDeliverySerializer,
    WebhookDetailApi,
    WebhookInputSerializer,
    WebhookListApi,
    WebhookSerializer,
)
from .whoami import (  # noqa: F401
    MeApi,
    MeSerializer,
    MyInvitationAnswerApi,
    MyInvitationListApi,
    MyInvitationSerializer,
)
