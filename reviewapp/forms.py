from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import ValidationError

from . import throttle
from .exceptions import ApplicationError
from .models import ApiToken, AuditEvent, Membership, Outcome, Review, Webhook
from .services import ROLES_REQUIRED, outcome_name_clean
from .widgets import IsoDateInput


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = [
            "title", "question", "population", "intervention", "intervention_name", "comparator",
            "comparator_name", "outcomes_summary", "study_designs", "planned_databases", "search_from", "search_to",
            "search_update_months",
            "status",
        ]
        widgets = {
            "question": forms.Textarea(attrs={"rows": 3}),
            "population": forms.Textarea(attrs={"rows": 2}),
            "intervention": forms.Textarea(attrs={"rows": 2}),
            "comparator": forms.Textarea(attrs={"rows": 2}),
            "outcomes_summary": forms.Textarea(attrs={"rows": 2}),
            "study_designs": forms.Textarea(attrs={"rows": 3}),
            "planned_databases": forms.Textarea(attrs={"rows": 5}),
            "search_from": IsoDateInput(),
            "search_to": IsoDateInput(),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("search_from"), data.get("search_to")
        if start and end and start > end:
            self.add_error("search_to", "The end of the search period is before its start.")
        return data


class OutcomeForm(forms.ModelForm):
    class Meta:
        model = Outcome
        fields = ["name", "direction", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review

    def clean_name(self):
        # The service's rule (it refuses again on save), so the form shows it beside the field.
        try:
            return outcome_name_clean(review=self.review, name=self.cleaned_data["name"],
                                      outcome=self.instance if self.instance.pk else None)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None


ROLE_CHOICES = Membership.Role.choices


class MemberRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple,
                                      required=False)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(choices=[("", "any action")] + AuditEvent.Action.choices, required=False)
    object_type = forms.ChoiceField(choices=[("", "any kind")], required=False, label="Kind")
    actor = forms.CharField(required=False, label="Who (username)")
    since = forms.DateField(required=False, widget=IsoDateInput())
    until = forms.DateField(required=False, widget=IsoDateInput())

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [("", "any kind")] + kinds


class InvitationForm(forms.Form):
    """Whom to invite and with which roles. No role starts ticked: a lead chooses each, so that
    nobody added as a viewer can screen by an overlooked default."""

    identifier = forms.CharField(label="Username or e-mail address", max_length=254)
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": ROLES_REQUIRED})


class InvitationSignupForm(UserCreationForm):
    """Username and password for the account an invitee creates; its e-mail is the invited one.

    Only validates (Django's username rules and password validators): the account is created by
    ``services.invitation_accept_new_account`` together with the membership.
    """

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The similarity validator then also refuses a password resembling the address.
        self.instance.email = email
        self.fields["username"].help_text = "Letters, digits and @ . + - _ only; you sign in with it."


class SignInForm(AuthenticationForm):
    """Django's sign-in form, saying so when sign-in is paused after too many failures
    (the refusal itself is ThrottledModelBackend's, for every way of signing in)."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            message = throttle.lockout_message(self.request, self.cleaned_data.get("username"))
            if message:
                raise ValidationError(message, code="locked") from None
            raise


class ApiTokenForm(forms.Form):
    LIFETIMES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("", "Until I revoke it")]

    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “R script on my laptop”.")
    scope = forms.ChoiceField(choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ,
                              widget=forms.RadioSelect,
                              help_text="Read only: the token can look but change nothing.")
    review = forms.ModelChoiceField(queryset=Review.objects.none(), required=False,
                                    empty_label="Every review I belong to", label="Works in",
                                    help_text="Limit the token to one review, so a leaked key reaches no other.")
    days = forms.TypedChoiceField(choices=LIFETIMES, initial="90", required=False, coerce=int,
                                  empty_value=None, label="Expires after",
                                  help_text="After this the token stops working; create another then.")

    def __init__(self, *args, reviews=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review"].queryset = reviews if reviews is not None else Review.objects.none()


class WebhookForm(forms.Form):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https",
                         help_text="Where each event is POSTed as JSON (http or https, not this site).")
    events = forms.MultipleChoiceField(choices=Webhook.Event.choices, widget=forms.CheckboxSelectMultiple)
