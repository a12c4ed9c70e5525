"""The full text beside the record and the decision keys at 1400 px; on a phone (390 px) the record
and its full text take turns under two tabs, switched by click, arrow keys or F."""
from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reviewapp import services as review_services
from screening import services
from screening.models import ScreeningItem
from tests.screening.helpers import import_bytes, make_search, record, ris

from .test_screening import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOT_DIR", "")


def one_page_pdf(text: str) -> bytes:
    """A small valid PDF with one line of text (offsets computed, so readers accept it)."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.fixture
def full_text_to_screen(make_user):
    lead, rita, ravi = make_user("lead"), make_user("rita"), make_user("ravi")
    review = review_services.review_create(creator=lead, title="Full texts beside")
    for person in (rita, ravi):
        review_services.member_roles_set(actor=lead, review=review, user=person, roles=["reviewer"])
    import_bytes(make_search(review, lead), lead, ris(*(record(n) for n in range(1, 3))), "scopus.ris")
    item = ScreeningItem.objects.filter(review=review, stage="ta").first()
    for person in (rita, ravi):
        services.decision_record(actor=person, review=review, item_id=item.pk, value="include")
    services.fulltext_upload(actor=rita, record=item.record,
                             upload=SimpleUploadedFile("Author1 2001 trial.pdf", one_page_pdf("Full text of trial 1")))
    return review, item.record


def shot(page, name: str) -> None:
    if SHOTS:
        page.wait_for_timeout(1500)  # the PDF viewer draws its page
        page.screenshot(path=os.path.join(SHOTS, name), full_page=False)


def test_the_pdf_sits_beside_the_record_and_the_keys_on_a_wide_screen(live_server, page, full_text_to_screen):
    review, record = full_text_to_screen
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, live_server.url, "rita")
    page.goto(f"{live_server.url}/reviews/{review.pk}/screening/ft/")
    title, pdf = page.locator("#record-title").bounding_box(), page.locator("iframe.pdf").bounding_box()
    include = page.locator('button.decision[data-key="i"]').bounding_box()
    assert pdf["x"] >= title["x"] + title["width"]  # beside, not below
    assert pdf["y"] < 400 and pdf["height"] > 600  # high on the page, not below the abstract (was 1,250 px)
    assert include["y"] + include["height"] < 900 and include["x"] < pdf["x"]  # keys in view, left of the PDF
    assert not page.get_by_text("Record", exact=True).is_visible()  # no tabs on a wide screen
    assert page.locator('a:has-text("download")').get_attribute("href").endswith("?download=1")
    shot(page, "ft-1400.png")
    page.goto(f"{live_server.url}/reviews/{review.pk}/records/{record.pk}/")
    assert page.locator("iframe.pdf").bounding_box()["x"] > page.locator("dl.fields").bounding_box()["x"] + 300
    shot(page, "record-1400.png")


def test_record_and_full_text_are_tabs_on_a_phone(live_server, page, full_text_to_screen):
    review, _ = full_text_to_screen
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "rita")
    page.goto(f"{live_server.url}/reviews/{review.pk}/screening/ft/")
    record_tab, fulltext_tab = page.locator('label[for="show-record"]'), page.locator('label[for="show-fulltext"]')
    assert record_tab.is_visible() and fulltext_tab.is_visible()
    assert page.locator("#record-title").is_visible() and not page.locator("iframe.pdf").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "ft-390-record.png")
    fulltext_tab.click()
    assert page.locator("iframe.pdf").is_visible() and not page.locator("#record-title").is_visible()
    assert page.locator('button.decision[data-key="i"]').is_visible()  # the keys stay under the full text
    shot(page, "ft-390-fulltext.png")
    # From the keyboard: the tabs are a radio group (arrows move), and F switches from anywhere.
    page.focus("#show-fulltext")
    page.keyboard.press("ArrowLeft")
    assert page.locator("#record-title").is_visible() and not page.locator("iframe.pdf").is_visible()
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("f")
    assert page.locator("iframe.pdf").is_visible()
    page.keyboard.press("f")
    assert page.locator("#record-title").is_visible()


def test_many_full_texts_uploaded_at_once_from_the_page(live_server, page, full_text_to_screen, tmp_path):
    review, _ = full_text_to_screen
    files = {"10.1000_pip.2.pdf": one_page_pdf("Trial 2"), "10.1000_pip.1.pdf": one_page_pdf("Again"),
             "holiday.pdf": one_page_pdf("Holiday"), "notes.pdf": b"not a pdf at all"}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    sign_in(page, live_server.url, "ravi")
    # At 1400 px record #1 keeps the full text it has; at 390 px the uploader replaces it (and #2's).
    for width, attached in ((1400, "1 attached"), (390, "2 attached")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/reviews/{review.pk}/screening/")
        page.get_by_role("link", name="Upload full texts").click()
        page.set_input_files("#id_files", [str(tmp_path / name) for name in files])
        if width == 390:
            page.get_by_label("Replace full texts records already have").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Upload and match").click()
        assert attached in " ".join(page.locator("section.card").inner_text().split())
        assert "holiday.pdf" in page.locator("#unmatched").inner_text()
        if width == 1400:
            assert "#2" in page.locator("#attached").inner_text()
            assert "record #1 already has a full text" in page.locator("#refused").inner_text()
        else:
            assert "replaced its full text" in page.locator("#attached").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        shot(page, f"bulk-{width}.png")


def test_the_lead_reads_the_pdf_beside_a_full_text_conflict(live_server, page, full_text_to_screen):
    review, record = full_text_to_screen
    ft = ScreeningItem.objects.get(record=record, stage="ft")
    reason = services.screening_settings(review).exclusion_reasons[0]
    rita, ravi = (review.memberships.get(user__username=name).user for name in ("rita", "ravi"))
    services.decision_record(actor=rita, review=review, item_id=ft.pk, value="include")
    services.decision_record(actor=ravi, review=review, item_id=ft.pk, value="exclude", reason=reason)
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/reviews/{review.pk}/screening/conflicts/{ft.pk}/")
    decisions, pdf = page.locator("aside.decide-panel").bounding_box(), page.locator("iframe.pdf").bounding_box()
    assert pdf["x"] >= decisions["x"] + decisions["width"] and pdf["y"] < 300
    shot(page, "conflict-1400.png")
