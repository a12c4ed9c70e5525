"""SVG primitives every figure of the site is drawn with (plain Python: no Django, no numpy).

The forest and funnel plots (``analysis.stats``), the PRISMA 2020 diagram (``screening``), the
risk-of-bias figures and the descriptive bar charts (``extraction``) and the stacked subgroup plots
(``analysis.compute``) build their markup here:

- :func:`escape` is the one escaping function for SVG: every text and attribute value that
  :func:`element` writes goes through it, so data (a study's label, a review's title, a link) can
  never become markup;
- :func:`element` writes one element from its tag, attributes (``font_size=`` is written
  ``font-size``, ``class_=`` is ``class``; ``None`` leaves an attribute out) and content; the
  shapes (:func:`rect`, :func:`line`, :func:`circle`, :func:`text`, :func:`title`) are element
  with their usual attributes;
- :func:`document` is the standalone ``<svg>`` around a figure: size, viewBox, font, accessible
  name, white background;
- :func:`text_width` estimates how wide a text is drawn (layout without measuring fonts), from
  the average advance of a character of the figure's font (ADVANCE).

The fonts: one place for the stacks the figures name. They differ on purpose, as the figures
were designed with them: the plots use the system's interface font, the PRISMA diagram the wide
DejaVu Sans its boxes are wrapped for, the appraisal figures and bar charts Helvetica (robvis').

The package is copied, with the engine, into each analysis run's reproducible folder: it imports
nothing outside the standard library.
"""
from __future__ import annotations

import html
import math
from collections.abc import Iterable

__all__ = ["ADVANCE", "FONT_DIAGRAM", "FONT_HELVETICA", "FONT_UI", "SVG_NS", "circle", "document", "element",
           "escape", "line", "rect", "text", "text_width", "title"]

SVG_NS = "http://www.w3.org/2000/svg"

#: the system's interface font (the analysis plots)
FONT_UI = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
#: DejaVu Sans first: the PRISMA diagram's boxes wrap at a character count chosen for its width
FONT_DIAGRAM = "DejaVu Sans, Arial, Helvetica, sans-serif"
#: robvis' font (the risk-of-bias figures and the descriptive bar charts)
FONT_HELVETICA = "Helvetica, Arial, sans-serif"

#: average advance of a character as a share of the font size, per font stack above
ADVANCE = {FONT_UI: 0.56, FONT_HELVETICA: 0.52, FONT_DIAGRAM: 0.6}

Value = str | int | float | None


def escape(value: object) -> str:
    """``value`` as SVG (XML) text or a double-quoted attribute value: ``& < > " '`` escaped."""
    return html.escape(str(value), quote=True)


def _value(value: str | int | float) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def attributes(attrs: dict[str, Value]) -> str:
    """`` name="value"`` per attribute that is not None, each value escaped; ``font_size`` is written
    ``font-size``, ``xml_space`` ``xml:space``, and a trailing underscore is dropped (``class_``)."""
    out = []
    for name, value in attrs.items():
        if value is None:
            continue
        name = name.rstrip("_")
        name = "xml:" + name[4:] if name.startswith("xml_") else name.replace("_", "-")
        out.append(f' {name}="{escape(_value(value))}"')
    return "".join(out)


def element(tag: str, content: str | Iterable[str] = "", /, **attrs: Value) -> str:
    """One element. ``content`` is markup (elements this module wrote); text goes in escaped with
    :func:`text` or :func:`escape`. An element without content closes itself."""
    inner = content if isinstance(content, str) else "".join(content)
    if not inner:
        return f"<{tag}{attributes(attrs)}/>"
    return f"<{tag}{attributes(attrs)}>{inner}</{tag}>"


def title(words: str, **attrs: Value) -> str:
    """A ``<title>`` (an element's accessible name and tooltip)."""
    return f"<title{attributes(attrs)}>{escape(words)}</title>"


def text(x: str | float, y: str | float, words: str, /, *, tooltip: str | None = None, **attrs: Value) -> str:
    """A ``<text>`` at (x, y) with ``words`` escaped, a ``<title>`` first when a tooltip is given."""
    inner = escape(words)
    if tooltip:
        inner = title(tooltip) + inner
    return f"<text{attributes({'x': x, 'y': y, **attrs})}>{inner}</text>"


def rect(x: str | float | None, y: str | float | None, width: str | float, height: str | float, /,
         content: str = "", **attrs: Value) -> str:
    return element("rect", content, x=x, y=y, width=width, height=height, **attrs)


def line(x1: str | float, y1: str | float, x2: str | float, y2: str | float, /, **attrs: Value) -> str:
    return element("line", x1=x1, y1=y1, x2=x2, y2=y2, **attrs)


def circle(cx: str | float, cy: str | float, r: str | float, /, content: str = "", **attrs: Value) -> str:
    return element("circle", content, cx=cx, cy=cy, r=r, **attrs)


def text_width(words: str, size: float, font: str = FONT_UI) -> float:
    """How wide ``words`` are drawn at ``size`` px in ``font``, estimated from its average advance."""
    return len(words) * size * ADVANCE[font]


def document(width: float, height: float, body: Iterable[str], *, font: str, name: str,
             description: str | None = None, role: str = "img", whole: bool = True,
             separator: str = "", ids: bool = False, label: bool = False, titled: bool = True,
             size: str | None = None,
             head: Iterable[str] = ()) -> str:
    """A standalone SVG of ``width`` x ``height`` px (rounded up when ``whole``, else to the nearest
    pixel): its font, its accessible name ``name`` (a ``<title>``, with ``description`` as a
    ``<desc>``; ``ids`` names both for aria-labelledby, ``label`` gives the name in aria-label, as
    the only name when not ``titled``),
    a white background, then ``head`` (definitions) and ``body``."""
    w, h = (math.ceil(width), math.ceil(height)) if whole else (f"{width:.0f}", f"{height:.0f}")
    attrs: dict[str, Value] = {"width": w, "height": h, "viewBox": f"0 0 {w} {h}", "role": role}
    if ids:
        attrs["aria-labelledby"] = "plot-title plot-desc" if description is not None else "plot-title"
    if label:
        attrs["aria-label"] = name
    attrs["font-family"] = font
    attrs["font-size"] = size
    opening = f'<svg xmlns="{SVG_NS}"' + "".join(
        f' {k}="{escape(_value(v))}"' for k, v in attrs.items() if v is not None) + ">"
    heading = [title(name, id="plot-title") if ids else title(name)] if titled else []
    if description is not None:
        heading.append(element("desc", escape(description), id="plot-desc" if ids else None))
    background = rect(None, None, w, h, fill="#ffffff")
    return separator.join([opening, *heading, *head, background, *body, "</svg>"])
