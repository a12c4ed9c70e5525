from django.contrib import admin

from .models import DuplicatePair, Record, Search, SearchFile


@admin.register(Search)
class SearchAdmin(admin.ModelAdmin):
    list_display = ("database", "platform", "date_run", "reported_hits", "review")
    list_filter = ("database",)
    search_fields = ("database", "query")


@admin.register(SearchFile)
class SearchFileAdmin(admin.ModelAdmin):
    list_display = ("original_name", "search", "format", "status", "records_imported", "uploaded_at")
    list_filter = ("status", "format")
    readonly_fields = ("sha256", "size")


@admin.register(Record)
class RecordAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "year", "doi", "search", "duplicate_of")
    search_fields = ("title", "doi", "pmid")
    raw_id_fields = ("search_file", "search", "duplicate_of", "review")
    list_select_related = ("search",)


@admin.register(DuplicatePair)
class DuplicatePairAdmin(admin.ModelAdmin):
    list_display = ("id", "record_a", "record_b", "score", "sure", "status")
    list_filter = ("status", "sure")
    raw_id_fields = ("record_a", "record_b", "found_in", "review")
