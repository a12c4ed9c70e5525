"""Writes of the extraction app: forms and their versions, entries, settlements and consensus."""
from .characteristics import characteristics_layout_set
from .designs import design_mapping_set
from .entries import (
    SaveResult,
    check_answers,
    consensus_answers,
    consensus_finalise,
    consensus_reopen,
    differences,
    entry_autosave,
    entry_reopen,
    entry_save,
    entry_save_answers,
    extraction_for,
    settlement_record,
)
from .forms import (
    draft_discard,
    draft_field_save,
    draft_item_delete,
    draft_item_move,
    draft_outcome_data_add,
    draft_section_save,
    template_create,
    template_create_builtin,
    template_settler_set,
    version_publish,
)

__all__ = [
    "design_mapping_set",
    "characteristics_layout_set",
    "SaveResult", "check_answers", "consensus_answers", "consensus_finalise", "consensus_reopen", "differences",
    "entry_autosave", "entry_reopen", "entry_save", "entry_save_answers", "extraction_for", "settlement_record",
    "draft_discard", "draft_field_save", "draft_item_delete", "draft_item_move", "draft_outcome_data_add",
    "draft_section_save", "template_create", "template_create_builtin", "template_settler_set", "version_publish",
]
