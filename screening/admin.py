"""Searches, files, records and duplicate decisions in the admin: view only. Imports, merges and
un-merges go through the pages and their services, which keep the audit trail and keep every
merge reversible."""
from django.contrib import admin

from reviewapp.admin import ReadOnlyAdminMixin

from .models import DuplicatePair, Record, Search, SearchFile


@admin.register(Search)
class SearchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("database", "platform", "date_run", "reported_hits", "review")
    list_filter = ("database",)
    search_fields = ("database", "query")


@admin.register(SearchFile)
class SearchFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("original_name", "search", "format", "status", "records_imported", "uploaded_at")
    list_filter = ("status", "format")


@admin.register(Record)
class RecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "title", "year", "doi", "search", "duplicate_of")
    search_fields = ("title", "doi", "pmid")
    list_select_related = ("search",)


@admin.register(DuplicatePair)
class DuplicatePairAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "record_a", "record_b", "score", "sure", "status")
    list_filter = ("status", "sure")
