"""The API of searches, records, duplicates, screening, conflicts, studies and PRISMA counts, one module per resource.

Each view: access check (`ReviewApiView` with the capability per method, or the conflict rule of
`reviewapp.permissions`), one service or selector, serialize. Blind screening holds here as on the
pages (`screening.rules`): others' decisions stay hidden until a record is settled, and a conflict
freezes both decisions until a lead or the third reviewer resolves it. The URL conf reads the views
from this package.
"""
from .agreement import (  # noqa: F401
    AgreementApi,
    AgreementSerializer,
    PairAgreementSerializer,
    TeamApi,
    TeamRowSerializer,
)
from .batch import BatchSerializer, ScreenerPreferenceApi, ScreenerPreferenceSerializer, ScreeningBatchApi  # noqa: F401
from .conflicts import (  # noqa: F401
    BulkExcludeResultSerializer,
    BulkExcludeSerializer,
    BulkTagResultSerializer,
    BulkTagSerializer,
    ConflictListApi,
    ConflictResolveApi,
    ConflictResolverMixin,
    ConflictSerializer,
    RecordsExcludeApi,
    RecordsTagApi,
    ResolvedItemSerializer,
    ResolveSerializer,
)
from .decisions import (  # noqa: F401
    STAGE_PARAMETER,
    ClaimsReleaseApi,
    ClaimsReleaseSerializer,
    DecisionFilter,
    DecisionInputSerializer,
    DecisionListApi,
    DecisionLogApi,
    DecisionLogFilter,
    DecisionSerializer,
    DecisionUndoApi,
    LoggedDecisionSerializer,
    NextItemSerializer,
    ScreeningItemApi,
    ScreeningItemSerializer,
    ScreeningNextApi,
    ScreeningProgressApi,
    ScreeningSettingsApi,
    ScreeningSettingsSerializer,
    StageProgressSerializer,
    VisibleDecisionSerializer,
)
from .duplicates import (  # noqa: F401
    DuplicateDecisionApi,
    DuplicateDecisionSerializer,
    DuplicateDetailApi,
    DuplicateListApi,
    DuplicatePairSerializer,
)
from .prisma import (  # noqa: F401
    ChecklistInputSerializer,
    ChecklistItemSerializer,
    ChecklistUpdatedSerializer,
    PrismaApi,
    PrismaChecklistApi,
    PrismaColumnSerializer,
    PrismaCountsSerializer,
)
from .records import (  # noqa: F401
    DUPLICATES,
    DuplicatesFilter,
    FullTextApi,
    FullTextSerializer,
    FullTextUploadSerializer,
    RecordBriefSerializer,
    RecordCorrectionInputSerializer,
    RecordCorrectionsApi,
    RecordCorrectionSerializer,
    RecordDetailApi,
    RecordFilter,
    RecordLinksField,
    RecordListApi,
    RecordSerializer,
)
from .searches import (  # noqa: F401
    ImportDetailApi,
    ImportProgressApi,
    ImportProgressSerializer,
    ImportRetryApi,
    SearchDetailApi,
    SearchFileListApi,
    SearchFileSerializer,
    SearchFileUploadSerializer,
    SearchFilter,
    SearchListApi,
    SearchSerializer,
)
from .stopping import (  # noqa: F401
    RankingRunSerializer,
    StoppingApi,
    StoppingDecisionSerializer,
    StoppingFiguresSerializer,
    StoppingStateSerializer,
    StoppingTargetSerializer,
    StopSerializer,
)
from .studies import (  # noqa: F401
    StudyDetailApi,
    StudyLinkSerializer,
    StudyListApi,
    StudyReportsApi,
    StudySerializer,
)
