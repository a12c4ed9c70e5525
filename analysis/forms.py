"""The form a lead defines an analysis with; choices of fields come from the extraction form."""
from __future__ import annotations

from django import forms

from reviewapp.widgets import PlainNumberInput

from .models import DESIGNS, Analysis


class AnalysisForm(forms.ModelForm):
    designs = forms.MultipleChoiceField(choices=[(d, d) for d in DESIGNS], widget=forms.CheckboxSelectMultiple,
                                        help_text="Default: controlled designs only.")
    moderators = forms.MultipleChoiceField(choices=[], required=False, widget=forms.CheckboxSelectMultiple,
                                           help_text="Study-level fields for a meta-regression.")
    subgroup_field = forms.ChoiceField(choices=[], required=False, label="Subgroups by")
    cluster_field = forms.ChoiceField(choices=[], required=False, label="One study per")

    class Meta:
        model = Analysis
        fields = ["outcome", "name", "timepoint", "measure", "method", "test", "designs", "exclude_high_risk",
                  "subgroup_field", "cluster_field", "moderators", "level"]
        widgets = {"level": PlainNumberInput}

    def __init__(self, *args, review, study_fields: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].queryset = review.outcomes.all()
        self.fields["name"].required = False
        self.fields["name"].help_text = "Default: the outcome's name."
        choices = [(f["key"], f["label"]) for f in study_fields]
        self.fields["subgroup_field"].choices = [("", "No subgroups")] + choices
        self.fields["cluster_field"].choices = [("", "Every study")] + choices
        self.fields["moderators"].choices = choices
        self.fields["level"].widget.attrs.update(min=50, max=99.9, step="any")

    def clean_level(self):
        level = self.cleaned_data["level"]
        if not 50 <= level < 100:
            raise forms.ValidationError("A confidence level lies between 50 and 100 (e.g. 95).")
        return level

    def clean(self):
        data = super().clean()
        if not data.get("name") and data.get("outcome"):
            data["name"] = data["outcome"].name
        return data
