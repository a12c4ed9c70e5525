"""Stored SVG plots into a page: the markup is rebuilt here, element by element, never passed on.

A plot's SVG is text in the database (an analysis run's forest and funnel plots). Our renderer
writes it, and the archive importer draws it again rather than keeping an archive's, but a page
does not rely on either: ``svg_markup`` parses the text and writes new markup holding only the
drawing elements and attributes below, every text and attribute value escaped. What an SVG could
carry into the page besides a drawing (scripts, event handlers, links, `<foreignObject>` with a
form or a `<meta http-equiv="refresh">`, `<style>` that restyles the page, references to other
addresses) has no way through: it is not on the lists, so it is not written.
"""
from __future__ import annotations

import re

from django.utils.safestring import SafeString, mark_safe
from lxml import etree

from svgkit import escape

SVG_NS = "http://www.w3.org/2000/svg"
# Drawing elements only; anything else is left out with everything inside it.
ELEMENTS = frozenset({"svg", "g", "title", "desc", "rect", "line", "polyline", "polygon", "circle", "ellipse",
                      "path", "text", "tspan"})
# Geometry and presentation attributes, whose values must look like numbers, colours, names or
# lists of them (VALUE); labels, whose values are any text (escaped).
ATTRIBUTES = frozenset({
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "dx", "dy", "width", "height", "viewBox",
    "points", "d", "transform", "preserveAspectRatio", "fill", "fill-opacity", "stroke", "stroke-width",
    "stroke-dasharray", "stroke-linecap", "stroke-linejoin", "stroke-opacity", "opacity", "font-family",
    "font-size", "font-style", "font-weight", "font-variant", "font-variant-numeric", "text-anchor",
    "dominant-baseline", "alignment-baseline", "letter-spacing", "class", "id", "role", "aria-labelledby",
    "aria-hidden"})
LABELS = frozenset({"aria-label"})
VALUE = re.compile(r"[\w\s#.,%'+\-()]*")
# No function but the geometric ones: url(...) would fetch or point elsewhere.
FUNCTION = re.compile(r"([a-zA-Z-]+)\s*\(")
GEOMETRY = frozenset({"translate", "rotate", "scale", "matrix", "skewx", "skewy", "rgb", "rgba"})
MAX_DEPTH = 30

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                          remove_comments=True, remove_pis=True)


def _allowed_value(name: str, value: str) -> bool:
    if name in LABELS:
        return True
    if not VALUE.fullmatch(value):
        return False
    return all(f.lower() in GEOMETRY for f in FUNCTION.findall(value))


def _local(tag) -> str | None:
    """The element's name when it is an SVG element (entities, comments and other namespaces: None)."""
    if not isinstance(tag, str):
        return None
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return name if namespace == SVG_NS else None
    return tag


def _write(element, out: list[str], depth: int) -> None:
    name = _local(element.tag)
    if name in ELEMENTS and depth <= MAX_DEPTH:
        attributes = "".join(
            f' {key}="{escape(value)}"' for key, value in element.attrib.items()
            if isinstance(key, str) and key in (ATTRIBUTES | LABELS) and _allowed_value(key, value))
        namespace = f' xmlns="{SVG_NS}"' if depth == 0 else ""
        out.append(f"<{name}{namespace}{attributes}>")
        if element.text:
            out.append(escape(element.text))
        for child in element:
            _write(child, out, depth + 1)
        out.append(f"</{name}>")
    if element.tail and depth > 0:
        out.append(escape(element.tail))


def svg_markup(text: str | None) -> SafeString:
    """``text`` (an SVG document) as inline markup built here from the lists above; empty when it
    is not an SVG document. The only markup this returns is what this function writes."""
    if not text or not text.lstrip().startswith("<svg"):
        return mark_safe("")  # noqa: S308 - empty
    try:
        root = etree.fromstring(text.encode("utf-8"), parser=_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return mark_safe("")  # noqa: S308 - empty
    if _local(root.tag) != "svg":
        return mark_safe("")  # noqa: S308 - empty
    out: list[str] = []
    _write(root, out, 0)
    return mark_safe("".join(out))  # noqa: S308 - every tag and attribute name is one of ours; every value escaped
