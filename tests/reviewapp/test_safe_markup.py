"""Nothing from data is marked safe. Every place that turns off Django's escaping (`|safe`,
`{% autoescape off %}`, `mark_safe`, `format_html`, `SafeString`, ...) in templates and Python is
listed in SAFE_MARKUP with why it renders only markup our code made; the tests below prove each
reason, and the inventory fails when a new one appears (or a listed one goes) without the list
saying why."""
from __future__ import annotations

import re
from collections import Counter

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core import mail
from django.urls import reverse

from reviewapp import services as review_services
from reviewapp.forms import InvitationSignupForm
from reviewapp.svg_markup import svg_markup
from screening.highlight import highlight
from tests.screening.helpers import import_bytes, make_search, record, ris
from tests.support import REPO_ROOT

TEMPLATE_MARKERS = {"|safe": re.compile(r"\|\s*safe(seq)?\b"), "autoescape off": re.compile(r"{%\s*autoescape\s+off")}
PYTHON_MARKERS = {
    "mark_safe": re.compile(r"\bmark_safe\("),
    "format_html": re.compile(r"\bformat_html(_join)?\("),
    "SafeString": re.compile(r"\bSafe(String|Data|Text)\b"),
    "is_safe": re.compile(r"\bis_safe\s*=\s*True"),
    "needs_autoescape": re.compile(r"\bneeds_autoescape\b"),
    "__html__": re.compile(r"def __html__"),
    "|safe": re.compile(r"\|\s*safe\b"),
}
SKIPPED_DIRS = {".venv", "node_modules", "var", "tests", ".git", "migrations", "staticfiles"}

PLAIN_TEXT_MAIL = "a plain-text e-mail (subject or body): never read as HTML, so escaping would only garble it"
PASSWORD_HELP = ("the help text of the password validators in settings, written by Django's "
                 "password_validators_help_text_html from their fixed texts; no data")
SAFE_MARKUP: dict[tuple[str, str], tuple[int, str]] = {
    ("reviewapp/svg_markup.py", "mark_safe"): (
        4, "three empty strings, and markup svg_markup writes itself: tag and attribute names only from its "
           "lists, every text and attribute value escaped (analysis plots go through it)"),
    ("reviewapp/svg_markup.py", "SafeString"): (1, "the return annotation of svg_markup"),
    ("screening/screen_views.py", "mark_safe"): (
        2, "highlight() escapes a record's title and abstract and adds only <mark class=...> of its own"),
    ("screening/list_views.py", "mark_safe"): (
        2, "highlight() escapes a record's title and abstract and adds only <mark class=...> of its own"),
    ("screening/prisma_views.py", "mark_safe"): (
        1, "the PRISMA diagram: prisma_diagram.svg escapes every text, title and link it writes"),
    ("templates/registration/password_reset_confirm.html", "|safe"): (1, PASSWORD_HELP),
    ("templates/reviewapp/invitation_accept.html", "|safe"): (1, PASSWORD_HELP),
    ("templates/registration/password_reset_subject.txt", "autoescape off"): (1, PLAIN_TEXT_MAIL),
    ("templates/registration/password_reset_email.html", "autoescape off"): (1, PLAIN_TEXT_MAIL),
    ("templates/reviewapp/email/invitation.txt", "autoescape off"): (1, PLAIN_TEXT_MAIL),
    ("templates/reviewapp/email/invitation_subject.txt", "autoescape off"): (1, PLAIN_TEXT_MAIL),
    ("templates/reviewapp/email/invitation_notice.txt", "autoescape off"): (1, PLAIN_TEXT_MAIL),
    ("templates/reviewapp/email/notifications.txt", "autoescape off"): (1, PLAIN_TEXT_MAIL),
}


def _files(suffixes: tuple[str, ...]):
    for path in sorted(REPO_ROOT.rglob("*")):
        rel = path.relative_to(REPO_ROOT)
        if path.suffix in suffixes and path.is_file() and not SKIPPED_DIRS & set(rel.parts[:-1]):
            yield rel.as_posix(), path.read_text(encoding="utf-8", errors="replace")


def _found() -> dict[tuple[str, str], int]:
    found: Counter = Counter()
    for rel, text in _files((".html", ".txt", ".xml", ".svg")):
        if not rel.startswith("templates/") and "/templates/" not in rel:
            continue
        for name, pattern in TEMPLATE_MARKERS.items():
            found[(rel, name)] += len(pattern.findall(text))
    for rel, text in _files((".py",)):
        for line in text.splitlines():
            if line.lstrip().startswith(("from ", "import ")):
                continue
            for name, pattern in PYTHON_MARKERS.items():
                found[(rel, name)] += len(pattern.findall(line))
    return {key: n for key, n in found.items() if n}


def test_every_place_that_turns_off_escaping_is_listed_with_its_reason():
    listed = {key: count for key, (count, _) in SAFE_MARKUP.items()}
    found = _found()
    new = {key: n for key, n in found.items() if listed.get(key) != n}
    gone = {key: n for key, n in listed.items() if key not in found}
    assert not new, ("Escaping is turned off where SAFE_MARKUP does not say why (data must never be marked "
                     f"safe; build markup with every value escaped, then list it with a reason and a test): {new}")
    assert not gone, f"SAFE_MARKUP lists places that are gone; remove them: {gone}"
    assert all(reason.strip() for _, reason in SAFE_MARKUP.values())


def test_the_inventory_sees_a_new_safe_marking(tmp_path, monkeypatch):
    """The scan itself can fail: a template or module that marks something safe is found."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("{{ record.title|safe }}")
    (tmp_path / "app.py").write_text("from django.utils.html import format_html\nx = format_html('{}', 1)\n")
    monkeypatch.setattr(f"{__name__}.REPO_ROOT", tmp_path)
    assert _found() == {("templates/page.html", "|safe"): 1, ("app.py", "format_html"): 1}


# ---------------------------------------------------------------- each reason, proved

HOSTILE = '"><meta http-equiv="refresh" content="0;url=https://evil.example/"><script>alert(1)</script>'


def _no_hostile_markup(html: str) -> None:
    assert "<meta http-equiv" not in html and "<script>alert" not in html


def test_svg_markup_writes_only_drawing_elements_with_escaped_values():
    forged = ('<svg xmlns="http://www.w3.org/2000/svg" width="10" onload="alert(1)" viewBox="0 0 10 10">'
              '<!-- a comment --><title>a &lt;b&gt; "c"</title>'
              '<rect x="1" y="2" width="3" height="4" fill="url(https://evil.example/x)" class="study-marker"'
              ' onclick="alert(2)" style="position:fixed"/>'
              '<text x="1" y="2" font-family="system-ui, \'Segoe UI\'" transform="rotate(-90 1 2)">ok</text>'
              '<foreignObject><form xmlns="http://www.w3.org/1999/xhtml" action="https://evil.example/">'
              '<input name="password"/></form></foreignObject>'
              '<meta http-equiv="refresh" content="0"/><script>alert(3)</script><style>body{display:none}</style>'
              '<a href="javascript:alert(4)"><text>link</text></a><image href="https://evil.example/i.png"/>'
              '<use href="#x"/><g fill="expression(alert(5))"><line x1="0" y1="0" x2="1" y2="1"/></g></svg>')
    out = str(svg_markup(forged))
    for gone in ("onload", "onclick", "evil.example", "password", "refresh", "script", "alert", "display:none",
                 "javascript", "<a", "<image", "<use", "<foreignObject", "style", "url(", "expression"):
        assert gone not in out, gone
    assert '<rect x="1" y="2" width="3" height="4" class="study-marker"></rect>' in out
    assert "<title>a &lt;b&gt; &quot;c&quot;</title>" in out  # svgkit.escape, the one SVG escaping function
    assert 'font-family="system-ui, &#x27;Segoe UI&#x27;" transform="rotate(-90 1 2)">ok</text>' in out
    assert '<g><line x1="0" y1="0" x2="1" y2="1"></line></g>' in out
    assert out.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="10" viewBox="0 0 10 10">')


@pytest.mark.parametrize("text", ["", None, "<html><body>not a plot</body></html>", "<svg><unclosed", HOSTILE,
                                  '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;&a;</svg>'])
def test_svg_markup_gives_nothing_for_what_is_not_an_svg_document(text):
    assert str(svg_markup(text)) == ""


def test_svg_markup_keeps_our_plots_whole():
    import numpy as np

    from analysis import stats

    yi, vi = np.array([0.1, 0.3, -0.2, 0.5]), np.array([0.04, 0.02, 0.05, 0.03])
    fit = stats.rma(yi, vi)
    forest = stats.forest_svg(yi, vi, ["A <b>", "B & C", "D", "E"], fit)
    for drawn in (stats.funnel_svg(yi, vi, fit), forest):
        out = str(svg_markup(drawn))
        tags = re.compile(r"<([a-zA-Z]+)")
        # The same drawing, element by element; only the inline <style> (refused by the page's CSP) goes.
        assert Counter(tags.findall(out)) == Counter(t for t in tags.findall(drawn) if t != "style")
    assert "A &lt;b&gt;" in str(svg_markup(drawn)) and "B &amp; C" in str(svg_markup(drawn))  # the forest's labels


def test_highlight_escapes_the_record_and_adds_only_its_own_marks():
    out = highlight(f"Mothers {HOSTILE} and infants", ["mothers", "<script>"], ["infants"])
    _no_hostile_markup(out)
    assert '<mark class="kw-include">Mothers</mark>' in out and '<mark class="kw-exclude">infants</mark>' in out
    assert re.sub(r'</?mark( class="kw-(include|exclude)")?>', "", out).count("<") == 0


@pytest.mark.django_db
def test_the_prisma_diagram_escapes_what_data_puts_in_it(review, people, client_for):
    lead = people["lead"]
    search = make_search(review, lead, database=f"Scopus {HOSTILE}")
    import_bytes(search, lead, ris(record(1), record(2)), "scopus.ris")
    html = client_for(lead).get(reverse("prisma", args=[review.pk])).content.decode()
    assert "Scopus &quot;&gt;&lt;meta" in html
    _no_hostile_markup(html)


@pytest.mark.django_db
def test_the_password_help_shown_unescaped_is_djangos_own(people):
    fixed = password_validators_help_text_html()
    assert fixed.startswith("<ul>") and "<script" not in fixed
    assert InvitationSignupForm(email="guest@example.org").fields["password1"].help_text == fixed
    assert SetPasswordForm(people["viewer"]).fields["new_password1"].help_text == fixed


@pytest.mark.django_db
def test_mail_written_with_escaping_off_is_plain_text(review, people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    review.title = f"Review {HOSTILE}"
    review.save(update_fields=["title"])
    review_services.invitation_create(actor=people["lead"], review=review, identifier="guest@example.org",
                                      roles=["viewer"], site_url="http://testserver/")
    message = mail.outbox[-1]
    # Sent as text alone (no HTML part), so the title's characters are text, as typed.
    assert message.content_subtype == "plain" and not getattr(message, "alternatives", [])
    assert '"><meta' in message.subject
