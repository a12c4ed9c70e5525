"""Pages of notifications: one's own list with the e-mail choices, marking read, and the
e-mailed unsubscribe link (no sign-in needed: its signature names the person)."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..exceptions import ApplicationError
from ..page_access import public_page, signed_in_page
from ..people import display_name
from . import selectors, services
from .models import EmailMode, Kind

PER_PAGE = 50


class PreferencesForm(forms.Form):
    """One choice per kind: how its notifications reach me by e-mail."""

    def __init__(self, *args, modes: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            self.fields[kind] = forms.ChoiceField(label=label, choices=EmailMode.choices, initial=modes[kind])


@signed_in_page
def notifications(request: HttpRequest) -> HttpResponse:
    """My notifications, newest first, and (POST) how each kind reaches me by e-mail."""
    modes = services.email_modes(user=request.user)
    form = PreferencesForm(request.POST or None, modes=modes)
    if request.method == "POST" and form.is_valid():
        services.preferences_set(user=request.user, modes=form.cleaned_data)
        messages.success(request, "Your e-mail choices are saved.")
        return redirect("notifications")
    rows = selectors.notifications_for(user=request.user)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "reviewapp/notifications.html", {
        "page": page, "form": form, "unread": selectors.unread_count(user=request.user)})


@signed_in_page
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read; with ``open`` go on to what it is about."""
    try:
        notification = services.notification_mark_read(user=request.user, notification_id=notification_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("notifications")
    if request.POST.get("open") and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)
    return redirect("notifications")


@signed_in_page
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(user=request.user)
    messages.success(request, "Every notification is marked read.")
    return redirect("notifications")


# A mail program's one-click unsubscribe (RFC 8058) POSTs without a CSRF token; the link's
# signature is what authorises it, and it can only turn e-mail off.
@public_page
@csrf_exempt
def notifications_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm; POST turns off the e-mail the link names (one kind, or all)."""
    try:
        user, kind = services.unsubscribe_read(token)
    except ApplicationError as exc:
        return render(request, "reviewapp/notifications_unsubscribe.html", {"error": exc.message}, status=400)
    done = False
    if request.method == "POST":
        services.unsubscribe(token=token)
        done = True
    elif request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405)
    return render(request, "reviewapp/notifications_unsubscribe.html", {
        "person": display_name(user), "kind_label": dict(Kind.choices).get(kind), "done": done})
