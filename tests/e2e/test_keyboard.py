"""Every action works from the keyboard: a lead walks the main pages with Tab alone.

On each page the walk reaches every control a mouse could use (a group of radios is one stop, as
browsers make it), each shows where the focus is with an outline of at least 2 px whose colour
stands out from what is behind it (3:1, WCAG 2.1 1.4.11), and the walk gets through the page and
back out of it (no keyboard trap). The first Tab reaches the skip link, shown on screen, and Enter
on it moves the focus to the main content.
"""
from __future__ import annotations

import pytest
from django.urls import reverse

from reviewapp import services as review_services
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "pw-for-tests-123"

# In the page: the controls a person could act on (shown, enabled, not taken out of the tab order),
# a radio group counted once; and, for the focused element, what shows its focus.
PAGE_SCRIPT = """
(() => {
  function shown(el) {
    if (el.closest('[hidden], [inert]')) return false;
    // Inside a closed <details> only its own summary can be reached (the rest shows when opened).
    let closed = el.closest('details:not([open])');
    if (closed && el.tagName === 'SUMMARY' && el.parentElement === closed) {
      closed = closed.parentElement && closed.parentElement.closest('details:not([open])');
    }
    if (closed) return false;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    return el.getClientRects().length > 0;
  }
  function key(el) {
    if (el.type === 'radio' && el.name) {
      return 'radio:' + (el.form ? [...document.forms].indexOf(el.form) : '') + ':' + el.name;
    }
    if (!el.dataset.kbd) el.dataset.kbd = String(document.querySelectorAll('[data-kbd]').length + 1);
    return 'el:' + el.dataset.kbd;
  }
  function describe(el) {
    const text = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || el.id || '').trim();
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + text.slice(0, 40) + '"';
  }
  function rgb(color) {
    const m = color.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  }
  function luminance(c) {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function behind(el) {
    for (let node = el.parentElement; node; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  }
  function ring(el) {
    // A control drawn by its label (a visually hidden box or radio) shows its focus there.
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (box.width <= 2 || box.height <= 2 || style.opacity === '0') {
      const label = el.nextElementSibling && el.nextElementSibling.tagName === 'LABEL' ? el.nextElementSibling
        : (el.labels && el.labels[0]);
      if (label) return label;
    }
    return el;
  }
  return {
    controls() {
      const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
      const found = {};
      for (const el of document.querySelectorAll(selector)) {
        if (el.disabled || el.tabIndex < 0 || !shown(el)) continue;
        found[key(el)] = describe(el);
      }
      return found;
    },
    focused() {
      const el = document.activeElement;
      if (!el || el === document.body || el === document.documentElement) return null;
      const drawn = ring(el);
      const style = getComputedStyle(drawn);
      const width = style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth);
      const colour = rgb(style.outlineColor) || {r: 0, g: 0, b: 0, a: 1};
      const [a, b] = [luminance(colour), luminance(behind(drawn))].sort((x, y) => y - x);
      return {key: key(el), what: describe(el), width: width, contrast: (a + 0.05) / (b + 0.05),
              inMain: !!el.closest('main'), id: el.id, top: el.getBoundingClientRect().top};
    },
  };
})()
"""


@pytest.fixture
def built_review(make_user):
    """A small review with a search and three records: every main page has its controls."""
    lead = make_user("lead", first_name="Lena", last_name="Lead")
    review = review_services.review_create(creator=lead, title="Keyboard walk")
    import_bytes(make_search(review, lead), lead, ris(*(record(n) for n in range(1, 4))), "scopus.ris")
    return review, lead


def _walk(page, limit: int) -> tuple[list[dict], bool]:
    """Tab from the top of the page until the focus leaves it (or comes back round); the stops, and
    whether it got out."""
    stops, seen = [], set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = page.evaluate("window.__kbd.focused()")
        if now is None:
            return stops, True  # past the last control: the focus left the page
        if stops and now["key"] == stops[-1]["key"]:
            continue  # the same control's next part (a date box has one stop for each of its fields)
        if now["key"] in seen:
            return stops, now["key"] == stops[0]["key"]  # round again to the first; else caught in a loop
        seen.add(now["key"])
        stops.append(now)
    return stops, False


def test_a_lead_walks_the_main_pages_with_tab_alone(live_server, browser, built_review):
    review, lead = built_review
    r = review.pk
    pages = [reverse(name, args=args) for name, args in [
        ("review_dashboard", [r]), ("review_edit", [r]), ("search_list", [r]), ("record_list", [r]),
        ("screening_home", [r]), ("screen", [r, "ta"]), ("review_members", [r]), ("extraction_home", [r]),
        ("analysis_list", [r]), ("notifications", [])]]
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    try:
        page.goto(live_server.url + reverse("login"))
        page.fill("#id_username", "lead")
        page.fill("#id_password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        for path in pages:
            page.goto(live_server.url + path)
            page.evaluate(f"window.__kbd = {PAGE_SCRIPT}")
            controls = page.evaluate("window.__kbd.controls()")
            stops, got_out = _walk(page, limit=3 * len(controls) + 10)
            if not got_out:
                problems.append(f"{path}: the focus never left the page after {len(stops)} Tabs (a trap)")
            if not stops or "skip-link" not in (page.evaluate("document.querySelector('.skip-link').className")):
                problems.append(f"{path}: no skip link")
            elif stops[0]["what"] != 'a "Skip to the main content"' or stops[0]["top"] < 0:
                problems.append(f"{path}: the first Tab reaches {stops[0]['what']} (top {stops[0]['top']}), "
                                "not the skip link shown on screen")
            for stop in stops:
                if stop["width"] < 2 or stop["contrast"] < 3:
                    problems.append(f"{path}: {stop['what']} has focus without a visible outline "
                                    f"({stop['width']} px, contrast {stop['contrast']:.1f}:1)")
            missed = set(controls) - {s["key"] for s in stops}
            problems.extend(f"{path}: Tab never reaches {controls[k]}" for k in sorted(missed))

            # The skip link: Enter on it puts the focus on the main content; Tab goes on inside it.
            page.goto(live_server.url + path)
            page.keyboard.press("Tab")
            page.keyboard.press("Enter")
            if page.evaluate("document.activeElement.id") != "main":
                problems.append(f"{path}: Enter on the skip link does not move the focus to the main content")
            page.keyboard.press("Tab")
            if not page.evaluate("!!document.activeElement.closest('main')"):
                problems.append(f"{path}: after the skip link, Tab leaves the main content")
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
