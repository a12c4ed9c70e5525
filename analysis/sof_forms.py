"""Forms of the summary-of-findings page: an outcome's settings and one GRADE rating."""
from __future__ import annotations

from django import forms

from reviewapp.widgets import PlainNumberInput

from . import grade
from .sof_models import GradeAssessment


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = GradeAssessment
        fields = ["analysis", "control_risk", "mid", "sd", "sd_scale", "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 2}), "control_risk": PlainNumberInput,
                   "mid": PlainNumberInput, "sd": PlainNumberInput}

    def __init__(self, *args, analyses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analysis"].queryset = analyses
        self.fields["analysis"].empty_label = "The outcome's first analysis (default)"
        self.fields["analysis"].label = "Analysis shown"
        self.fields["control_risk"].widget.attrs.update(min=0, max=1, step="any")
        for name in ("mid", "sd"):
            self.fields[name].widget.attrs.update(step="any")


class RatingForm(forms.Form):
    domain = forms.ChoiceField(choices=[(d, grade.DOMAIN_LABELS[d]) for d in grade.DOMAINS],
                               widget=forms.HiddenInput)
    change = forms.TypedChoiceField(coerce=int, choices=[(0, "0"), (-1, "−1"), (-2, "−2"), (1, "+1"), (2, "+2")])
    reason = forms.CharField(required=False, max_length=1000)
