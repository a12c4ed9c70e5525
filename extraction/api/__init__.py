"""The API of extraction, one module per resource: forms and their published versions, extractions,
one's own entry, the comparison of two entries and their consensus, and the outcome data analyses pool.

Each view: access check (`ReviewApiView` with the capability per method, and for consensus the
rules of `extraction.rules`), one service or selector, serialize. Blind double entry holds as on the
pages: nobody reads another person's entry (only who extracts and whether they are done);
once both are done the comparison opens to whoever settles, and once the consensus is final to
the two extractors and the role Extractor too. The consensus, once final, is the study's data for every member.
The URL conf reads the views from this package.
"""
from .consensus import (  # noqa: F401
    ComparisonSerializer,
    ConsensusMixin,
    ConsensusReopenApi,
    DifferencesApi,
    DifferenceSerializer,
    FinaliseApi,
    SettlementsApi,
    SettlementSerializer,
    SettleSerializer,
)
from .designs import (  # noqa: F401
    DesignMappingApi,
    DesignMappingSerializer,
)
from .entries import (  # noqa: F401
    EntryApi,
    EntryBriefSerializer,
    EntryInputSerializer,
    EntryReopenApi,
    EntrySerializer,
    ExtractionDetailApi,
    ExtractionDetailSerializer,
    ExtractionFilter,
    ExtractionListApi,
    ExtractionSerializer,
)
from .forms import (  # noqa: F401
    ANSWERS_SCHEMA_NOTE,
    AnswersField,
    FieldInputSerializer,
    FormCreateSerializer,
    FormDetailApi,
    FormDetailSerializer,
    FormDraftDiscardApi,
    FormFieldApi,
    FormFieldsApi,
    FormItemMoveApi,
    FormListApi,
    FormSectionApi,
    FormSectionsApi,
    FormSerializer,
    FormSettlerSerializer,
    FormVersionAnswersSchemaApi,
    FormVersionApi,
    FormVersionBriefSerializer,
    FormVersionListApi,
    FormVersionSerializer,
    MoveSerializer,
    PublishSerializer,
    SectionInputSerializer,
)
from .outcome_data import (  # noqa: F401
    OutcomeDataApi,
    OutcomeDataFilterSerializer,
    OutcomeDataSerializer,
    OutcomeEffectSerializer,
)
from .summaries import (  # noqa: F401
    CharacteristicsApi,
    CharacteristicsLayoutSerializer,
    SummariesApi,
)
