"""What an import format is: how to recognise it and how to read it.

A format is one module that declares ``FORMAT = Format(...)`` with its reader and its
sniffs, and one entry in ``formats.FORMATS``. Detection (detect.py) tries every
format's sniffs and its own refusals (PDFs, web pages, JSON...) in ``rank`` order;
the first that holds decides. Ranks are spaced by ten so a new sniff fits between two.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from .citation import Citation
from .decode import Data, DecodedLines, decode, iter_decoded_lines
from .limits import DEFAULT_LIMITS, Limits
from .report import ImportReport

# Ovid's on-screen citation display: "<1>" (or "<1. >") record headers; not XML.
OVID_DISPLAY = re.compile(r"^<\s*\d+\.?\s*>\s*$", re.MULTILINE)
# One space before the dash ("TY - JOUR") is written by some tools and read by the RIS reader.
RIS_END = re.compile(r"^ER {1,2}-", re.MULTILINE)
RIS_START = re.compile(r"^TY {1,2}- ", re.MULTILINE)


@dataclass
class Head:
    """The start of an upload as sniffs see it: the decoded text (up to 64 KiB) and the file
    name's extension; for a ZIP container only the names of the files inside (``names``)."""

    text: str = ""
    ext: str = ""  # ".ris", lower case; "" without one
    names: tuple[str, ...] | None = None  # ZIP members; None for a text file

    @cached_property
    def stripped(self) -> str:
        return self.text.lstrip()

    @cached_property
    def first_line(self) -> str:
        return self.stripped.split("\n", 1)[0]

    @cached_property
    def lower(self) -> str:
        return self.stripped[:20000].lower()

    @cached_property
    def has_ris_records(self) -> bool:
        return bool(RIS_START.search(self.text) and RIS_END.search(self.text))

    @cached_property
    def is_xml(self) -> bool:
        """Starts with markup, other than Ovid's "<1>" record headers."""
        return self.stripped.startswith("<") and not OVID_DISPLAY.match(self.stripped)


@dataclass
class Source:
    """An upload as readers get it, with what the caller asked for: its bytes or the open file
    (readers that stream take it from where it is; those that read whole call ``text()``)."""

    data: Data
    filename: str | None
    column_map: dict[str, str] | None = None
    report: ImportReport | None = None
    limits: Limits = DEFAULT_LIMITS

    def lines(self) -> DecodedLines:
        """Lines decoded chunk by chunk: line-tagged formats never hold the whole text."""
        return iter_decoded_lines(self.data, self.filename)

    def text(self) -> str:
        return decode(self.data, self.filename)


@dataclass(frozen=True)
class Sniff:
    rank: int
    test: Callable[[Head], bool | str | None]  # a format: is it this one; a refusal: the reason or None
    on: str = "text"  # "zip": tried on the member names of a ZIP container


@dataclass(frozen=True)
class Format:
    """``label`` is offered on the upload form, ``name`` shown once a file is read."""

    key: str
    label: str
    extensions: tuple[str, ...]
    name: str
    read: Callable[[Source], Iterator[Citation]] = field(compare=False, repr=False)
    sniffs: tuple[Sniff, ...] = ()
