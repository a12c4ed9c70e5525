"""Forms of the appraisal pages: a custom tool, and choosing what to appraise."""
from __future__ import annotations

from django import forms

from . import tools
from .services import CUSTOM_ANSWERS, CUSTOM_SCALE


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class CustomToolForm(forms.Form):
    name = forms.CharField(max_length=200)
    level = forms.ChoiceField(choices=[("study", "Each study as a whole"), ("result", "Each result (study × outcome)")],
                              label="Judges", initial="study")
    answers = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), initial="\n".join(CUSTOM_ANSWERS),
                              label="Answer options", help_text="One per line.")
    scale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), initial="\n".join(CUSTOM_SCALE),
                            label="Judgement scale", help_text="One level per line, best first: the order, "
                            "not the words, says how severe each level is.")
    high_risk_from = forms.CharField(
        max_length=60, required=False, label="High risk from",
        help_text="The level of the scale from which a judgement counts as high risk (GRADE rates down for "
                  "it, the figures draw it red, analyses can leave it out), e.g. High. Empty: the worse half "
                  "of the scale.")
    no_information = forms.CharField(max_length=60, required=False, label="Level for no information",
                                     help_text="Optional, e.g. No information; not part of the order.")
    domains_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}), label="Domains and questions",
        help_text="A domain's title on its own line, then its questions, each on a line starting with “-”. "
                  "End a question with (NA) if it may be answered not applicable.")

    def clean_answers(self) -> list[str]:
        return _lines(self.cleaned_data["answers"])

    def clean_scale(self) -> list[str]:
        return _lines(self.cleaned_data["scale"])

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        start = (cleaned.get("high_risk_from") or "").strip()
        if "scale" in cleaned and (wrong := tools.high_risk_from_error(cleaned["scale"], start)):
            self.add_error("high_risk_from", wrong)
        return cleaned


class StartForm(forms.Form):
    """Which tool, and for a result-level tool which outcome and effect of interest."""

    template = forms.TypedChoiceField(coerce=int, label="Tool")
    outcome = forms.ChoiceField(required=False, label="Result (outcome)")
    effect = forms.ChoiceField(required=False, label="Effect of interest")

    def __init__(self, *args, templates=(), outcomes=(), effects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.pk, t.name) for t in templates]
        self.fields["outcome"].choices = [("", "—")] + [(o, o) for o in outcomes]
        self.fields["effect"].choices = [("", "—")] + list(effects)
