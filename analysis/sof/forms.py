"""Forms of the summary-of-findings page: an outcome's settings (its GRADE ratings are one plain form
per outcome, read by sof.views)."""
from __future__ import annotations

from django import forms

from reviewapp.widgets import PlainNumberInput

from .models import GradeAssessment


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
