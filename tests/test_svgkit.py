"""The SVG primitives every figure is drawn with: data never becomes markup, and a figure is a
well-formed SVG document with its accessible name."""
from __future__ import annotations

from lxml import etree

import svgkit

HOSTILE = '"><script>alert(1)</script><a href=\'x\'>&amp;'


def test_text_and_attribute_values_are_escaped():
    drawn = svgkit.text(1, 2, HOSTILE, tooltip=HOSTILE, class_=HOSTILE)
    assert "<script>" not in drawn and "<a href" not in drawn
    parsed = etree.fromstring(drawn)
    assert parsed.get("class") == HOSTILE and parsed[0].text == HOSTILE and parsed[0].tail == HOSTILE


def test_attribute_names_follow_svg_and_none_leaves_one_out():
    drawn = svgkit.element("text", "x", font_size=12, text_anchor=None, class_="tick", xml_space="preserve")
    assert drawn == '<text font-size="12" class="tick" xml:space="preserve">x</text>'
    assert svgkit.line(0, 1.5, 2, 3, stroke="#000") == '<line x1="0" y1="1.5" x2="2" y2="3" stroke="#000"/>'


def test_a_document_is_well_formed_with_its_name_and_background():
    doc = svgkit.document(100.2, 50, [svgkit.rect(1, 2, 3, 4, fill="red")], font=svgkit.FONT_UI,
                          name="A & <b>", description="d", ids=True)
    root = etree.fromstring(doc)
    assert root.get("width") == "101" and root.get("viewBox") == "0 0 101 50"
    assert root.get("font-family") == svgkit.FONT_UI
    assert root.get("aria-labelledby") == "plot-title plot-desc"
    ns = {"s": svgkit.SVG_NS}
    assert root.find("s:title", ns).text == "A & <b>" and root.find("s:desc", ns).text == "d"
    assert [e.get("fill") for e in root.findall("s:rect", ns)] == ["#ffffff", "red"]


def test_text_width_grows_with_the_text_and_the_font():
    assert svgkit.text_width("abcd", 10) == 2 * svgkit.text_width("ab", 10)
    assert svgkit.text_width("abcd", 10, svgkit.FONT_DIAGRAM) > svgkit.text_width("abcd", 10, svgkit.FONT_HELVETICA)
