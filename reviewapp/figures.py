"""Figures as downloads: every app draws SVG; this turns an SVG into PNG or PDF (with CairoSVG).

CairoSVG needs the cairo library of the system (Debian: libcairo2, present wherever a desktop
or a browser is). Where it is missing, SVG still works and PNG/PDF say what to install.
"""
from __future__ import annotations

from django.http import HttpResponse

SCALE_PNG = 2  # twice the SVG's size: crisp on screens and in print


class FigureConversionUnavailable(RuntimeError):
    pass


def _cairosvg():
    try:
        import cairosvg
    except (ImportError, OSError) as exc:  # OSError: the cairo library itself is missing
        raise FigureConversionUnavailable(
            "PNG and PDF downloads need the cairo library (Debian/Ubuntu: apt-get install libcairo2); "
            f"the SVG download works without it. ({exc})") from exc
    return cairosvg


def svg_to_png(svg: str) -> bytes:
    return _cairosvg().svg2png(bytestring=svg.encode("utf-8"), scale=SCALE_PNG, unsafe=False)


def svg_to_pdf(svg: str) -> bytes:
    return _cairosvg().svg2pdf(bytestring=svg.encode("utf-8"), unsafe=False)


CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}


def figure_response(svg: str, fmt: str, filename: str) -> HttpResponse:
    """The figure as a download in ``fmt`` (svg, png or pdf); 503 with the reason if it cannot be converted."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown figure format {fmt!r}")
    try:
        body = svg.encode("utf-8") if fmt == "svg" else (svg_to_png(svg) if fmt == "png" else svg_to_pdf(svg))
    except FigureConversionUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
