from __future__ import annotations

from django import forms
from django.conf import settings

from reviewapp.exceptions import ApplicationError
from reviewapp.people import display_name
from reviewapp.widgets import IdListField, IsoDateInput, PersonChoiceField, PlainFloatField, ReadOnceModelChoiceField

from .importers import FORMATS
from .models import (
    USUAL_DATABASES,
    USUAL_PLATFORMS,
    Decision,
    RecordCorrection,
    ScreeningSettings,
    ScreeningStage,
    Search,
    validate_keyword_list,
)
from .rules import conflict_resolver_candidates
from .selectors import MY_DECISION_FILTERS, RECORD_SORT_LABELS, STATUS_FILTERS, year_range_problem
from .services import exclusion_reasons_clean
from .word_search import SEARCH_HELP


class _DatalistInput(forms.TextInput):
    """A text box that suggests the usual values and accepts any other."""

    template_name = "screening/widgets/datalist.html"

    def __init__(self, options: list[str], list_id: str, attrs=None):
        super().__init__(attrs={**(attrs or {}), "list": list_id, "autocomplete": "off"})
        self.options = options
        self.list_id = list_id

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["options"] = self.options
        context["widget"]["list_id"] = self.list_id
        return context


class SearchForm(forms.ModelForm):
    class Meta:
        model = Search
        fields = ["source", "database", "platform", "date_run", "query", "limits", "reported_hits", "notes"]
        widgets = {
            "database": _DatalistInput(USUAL_DATABASES, "database-options"),
            "platform": _DatalistInput(USUAL_PLATFORMS, "platform-options"),
            "date_run": IsoDateInput(),
            "query": forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "mono"}),
            "limits": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class SearchRerunForm(forms.ModelForm):
    """A new run of a search: its own date and query (the same or changed); the database is the one repeated."""

    class Meta:
        model = Search
        fields = ["date_run", "query", "limits", "reported_hits", "notes"]
        widgets = {
            "date_run": IsoDateInput(),
            "query": forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "mono"}),
            "limits": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class SearchFileForm(forms.Form):
    file = forms.FileField(label="Export file")
    format = forms.ChoiceField(
        label="Format", required=False,
        choices=[("", "Detect automatically")] + [(key, fmt.label) for key, fmt in FORMATS.items()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"Up to {settings.MAX_UPLOAD_MB} MB. The file is kept exactly as uploaded; large files import in the "
            "background and you may leave the page meanwhile.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.MAX_UPLOAD_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                f"{upload.name} is {upload.size / 1048576:.1f} MB; files may be at most {settings.MAX_UPLOAD_MB} MB. "
                "Split the export into smaller files and upload each to this search.")
        if upload.size == 0:
            raise forms.ValidationError(f"{upload.name} is empty: there are no records to import.")
        return upload


class RecordFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, help_text=SEARCH_HELP,
                        widget=forms.TextInput(attrs={"placeholder": "title, abstract, author, DOI or PMID"}))
    search = ReadOnceModelChoiceField(label="Found by search", queryset=Search.objects.none(), required=False,
                                      empty_label="Any search")
    year_from = forms.IntegerField(label="Year from", required=False, min_value=1000, max_value=2999)
    year_to = forms.IntegerField(label="Year to", required=False, min_value=1000, max_value=2999)
    has_doi = forms.ChoiceField(label="DOI", required=False,
                                choices=[("", "Any"), ("yes", "Has a DOI"), ("no", "No DOI")])
    duplicates = forms.ChoiceField(label="Duplicates", required=False, initial="hide",
                                   choices=[("hide", "Unique records only"), ("show", "All records"),
                                            ("only", "Merged duplicates only")])
    # Named apart from the exports' own `stage` (which set of records to export), which shares the URL.
    screening_stage = forms.ChoiceField(label="Stage", required=False,
                                        choices=[("", "Any stage"), *ScreeningStage.choices])
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *STATUS_FILTERS])
    my_decision = forms.ChoiceField(label="My decision", required=False,
                                    choices=[("", "Any"), *MY_DECISION_FILTERS])
    other_decision = forms.ChoiceField(label="Others' decision (once visible)", required=False,
                                       choices=[("", "Any"), *Decision.Value.choices])
    # Free text (offered the review's reasons): a lead's bulk exclusion may give a reason of its own.
    reason = forms.CharField(label="Exclusion reason", required=False, max_length=200,
                             widget=forms.TextInput(attrs={"list": "exclusion-reasons"}))
    tag = forms.CharField(label="Tag", required=False, max_length=50)
    reviewer = PersonChoiceField(label="Decided by", queryset=None, required=False, empty_label="Anyone")
    assigned_to = PersonChoiceField(label="Assigned to", queryset=None, required=False, empty_label="Anyone")
    has_fulltext = forms.ChoiceField(label="Full text", required=False,
                                     choices=[("", "Any"), ("yes", "Attached"), ("no", "Not attached")])
    ids = IdListField(label="Selected records", required=False, widget=forms.MultipleHiddenInput)
    # Also a select: on a phone the table's headers (the sort links) are not shown.
    sort = forms.ChoiceField(label="Order by", required=False, choices=[("", "Number"), *RECORD_SORT_LABELS])

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["search"].queryset = Search.objects.filter(review=review)
        self.fields["search"].label_from_instance = lambda s: f"{s.database} · {s.date_run:%Y-%m-%d}"
        self.fields["reviewer"].queryset = conflict_resolver_candidates(review=review)
        self.fields["assigned_to"].queryset = conflict_resolver_candidates(review=review)

    def selector_filters(self) -> dict:
        """The cleaned filters under the names `selectors.records_filtered` takes."""
        data = {k: v for k, v in self.cleaned_data.items() if v}
        if "screening_stage" in data:
            data["stage"] = data.pop("screening_stage")
        if "reviewer" in data:
            data["reviewer_id"] = data.pop("reviewer").pk
        if "assigned_to" in data:
            data["assigned_to"] = data["assigned_to"].pk
        return data

    def clean(self):
        cleaned = super().clean()
        problem = year_range_problem(cleaned.get("year_from"), cleaned.get("year_to"))
        if problem:
            self.add_error("year_to", problem)
        return cleaned


# ---------------------------------------------------------------- screening

class ScreeningSettingsForm(forms.ModelForm):
    exclusion_reasons = forms.CharField(
        label="Full-text exclusion reasons", widget=forms.Textarea(attrs={"rows": 8}),
        help_text="One reason per line; reviewers pick one to exclude a full text.")

    class Meta:
        model = ScreeningSettings
        fields = ["reviewers_per_record", "blind", "criteria", "include_keywords", "exclude_keywords",
                  "exclusion_reasons", "conflict_resolver", "prioritise", "fulltext_resolver"]
        widgets = {"criteria": forms.Textarea(attrs={"rows": 6}),
                   "include_keywords": forms.Textarea(attrs={"rows": 4}),
                   "exclude_keywords": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, screeners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conflict_resolver"].queryset = screeners
        self.fields["conflict_resolver"].label_from_instance = display_name
        self.fields["conflict_resolver"].required = False
        self.fields["conflict_resolver"].label = "Third reviewer for conflicts"
        self.fields["conflict_resolver"].help_text = ("Besides the leads, this screener may resolve conflicts "
                                                      "(except on records they decided themselves).")
        self.fields["blind"].help_text = ("Reviewers see nothing of each other's decisions on a record until it is "
                                          "settled; a conflict freezes both decisions until it is resolved.")
        self.initial["exclusion_reasons"] = "\n".join(self.instance.exclusion_reasons or [])
        for name in ("include_keywords", "exclude_keywords"):
            self.fields[name].validators.append(validate_keyword_list)

    def clean_exclusion_reasons(self):
        try:  # the service's cleaning, so the page and the API store the same list
            return exclusion_reasons_clean(self.cleaned_data["exclusion_reasons"].splitlines())
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None


class DecisionForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    value = forms.ChoiceField(choices=Decision.Value.choices)
    reason = forms.CharField(required=False, max_length=200)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    tags = forms.CharField(required=False, max_length=500, help_text="Comma-separated.")

    def clean_tags(self):
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


class ResolveForm(forms.Form):
    value = forms.ChoiceField(choices=Decision.Value.choices)
    reason = forms.CharField(required=False, max_length=200)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Why")


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(choices=RecordCorrection.Field.choices)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))


class FullTextForm(forms.Form):
    file = forms.FileField(label="Full text (PDF)")


class FullTextBulkForm(forms.Form):
    """The choices of a bulk upload of full texts; the files come as request.FILES.getlist("files")."""

    pattern = forms.CharField(
        label="File-name pattern (optional)", required=False, max_length=200,
        help_text="Leave empty to match by the DOI (10.1000_xyz.pdf), \u201cPMID 123\u2026\u201d or "
                  "\u201cPMC123\u2026\u201d in each name. Or give a pattern with one of {number} (the record "
                  "number), {doi}, {pmid}, {pmcid} or {ris_id}, and * for anything: e.g. {number}.pdf, "
                  "{ris_id}-*.pdf.")
    replace = forms.BooleanField(label="Replace full texts records already have", required=False)


class StudyLinkForm(forms.Form):
    record = forms.IntegerField(label="Record number", min_value=1,
                                help_text="The number (#) of another report of this study, from the records list.")


class StopForm(forms.Form):
    target = PlainFloatField(label="Target recall (%)", min_value=50, max_value=99.9, initial=95)
    confidence = PlainFloatField(label="Confidence (%)", min_value=50, max_value=99.9, initial=95)
    rule = forms.ChoiceField(choices=[("hypergeometric", "Hypergeometric test (a statistical guarantee)"),
                                      ("decay", "Decay rule (earlier, no guarantee)"),
                                      ("consecutive", "Run of consecutive exclusions (heuristic)")],
                             initial="hypergeometric", required=False)

    def clean_rule(self):
        return self.cleaned_data["rule"] or "hypergeometric"
