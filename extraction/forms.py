"""Forms of the form builder and of settling a difference."""
from __future__ import annotations

from django import forms

from reviewapp.widgets import PersonChoiceField, PlainFloatField

from . import definition as defs


class TemplateCreateForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name of the new form")


class SectionForm(forms.Form):
    title = forms.CharField(max_length=200)
    repeat = forms.CharField(
        max_length=60, required=False, label="Repeats as",
        help_text="For a repeating group, what one row is (e.g. Arm, Time point); empty for a plain section.")
    help = forms.CharField(max_length=500, required=False, label="Help text")


class FieldForm(forms.Form):
    label = forms.CharField(max_length=200)
    type = forms.ChoiceField(choices=list(defs.FIELD_TYPES.items()))
    required = forms.BooleanField(required=False)
    help = forms.CharField(max_length=500, required=False, label="Help text")
    choices = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False,
                              help_text="For single and multiple choice: one choice per line.")
    min = PlainFloatField(required=False, label="Smallest allowed value", help_text="For numbers.")
    max = PlainFloatField(required=False, label="Largest allowed value", help_text="For numbers.")
    unit = forms.CharField(max_length=40, required=False, help_text="For decimal numbers, e.g. months.")

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]

    @classmethod
    def initial_from(cls, field: dict) -> dict:
        return {**field, "choices": "\n".join(field.get("choices") or [])}


class PublishForm(forms.Form):
    note = forms.CharField(max_length=300, required=False, label="What changed",
                           help_text="Shown in the list of versions.")


class SettlerForm(forms.Form):
    settler = PersonChoiceField(queryset=None, required=False, empty_label="Leads only",
                                     label="Who else may settle differences")

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["settler"].queryset = people
