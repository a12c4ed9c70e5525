"""Turn uploaded bytes into text: byte-order marks, UTF-8, UTF-16, then for
anything else a detector (chardet) for legacy encodings such as GBK or
Windows-1251, a check for double-byte Chinese, Japanese or Korean text too short
for the detector, and last the Windows-1252 / Latin-1 fallback that older
Western database exports still use."""
from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any

from .errors import ImportFormatError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


#: an upload: its bytes, or a binary file open on it (read from where it is needed, so a large file
#: is never held whole; the file must be seekable)
Data = bytes | IO[bytes]


def as_file(data: Data) -> IO[bytes]:
    """A binary file at the upload's start (for zipfile, lxml, openpyxl: none of them needs the bytes whole)."""
    if isinstance(data, bytes | bytearray | memoryview):
        return io.BytesIO(data)
    data.seek(0)
    return data


def head_bytes(data: Data, size: int) -> bytes:
    """The first ``size`` bytes of the upload."""
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data[:size])
    data.seek(0)
    return data.read(size)


def read_all(data: Data) -> bytes:
    """The whole upload as bytes (for the formats read whole: BibTeX, CSV)."""
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    data.seek(0)
    return data.read()


def iter_chunks(data: Data | memoryview, skip: int = 0, chunk: int = 1 << 20) -> Iterator[bytes | memoryview]:
    """The upload ``chunk`` bytes at a time from offset ``skip``: a view into bytes, or reads from a file."""
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data)[skip:]
        for start in range(0, len(view), chunk):
            yield view[start:start + chunk]
        return
    data.seek(skip)
    while piece := data.read(chunk):
        yield piece


def sniff_encoding(data: bytes) -> tuple[str, int]:
    """Return (codec name, length of the byte-order mark to skip)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    # UTF-16 without a BOM: ASCII text shows as every other byte being NUL.
    head = data[:4000]
    if len(head) >= 4:
        even_nuls = head[0::2].count(0)
        odd_nuls = head[1::2].count(0)
        half = len(head) // 2
        if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
            return "utf-16-le", 0
        if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
            return "utf-16-be", 0
    return "utf-8", 0


# What chardet must be this sure of before its guess replaces Windows-1252. Its confidence
# for a few lines of GBK is about 0.4; for Western text its (wrong) guesses stay below 0.1.
_DETECTOR_CONFIDENCE = 0.2
# Enough text for the detector, without reading a large file twice.
_DETECTOR_SAMPLE = 256 * 1024
# Western single-byte guesses (Python's codec names): on Western text the detector wavers
# between these, and Windows-1252 reads such files at least as well.
_WESTERN = {"ascii", "iso8859-1", "cp1252", "iso8859-15", "cp1250", "iso8859-2", "mac-roman", "iso8859-9", "cp1254"}


def legacy_encoding(body: bytes | memoryview | IO[bytes], skip: int = 0) -> str:
    """The encoding of bytes that are not UTF-8: chardet's guess when sure enough, else Windows-1252 or Latin-1.

    ``body`` is the text's bytes, or a file whose text starts at offset ``skip``."""
    import chardet  # imported here: only files that are not UTF-8 need it (and it takes 70 ms to load)

    if isinstance(body, bytes | bytearray | memoryview):
        body, skip = memoryview(body)[skip:], 0
        sample = bytes(body[:_DETECTOR_SAMPLE])
    else:
        body.seek(skip)
        sample = body.read(_DETECTOR_SAMPLE)
    # NUL bytes mean binary data or UTF-16/32 without a BOM: the binary check deals with those.
    guess: Mapping[str, Any] = chardet.detect(sample) if b"\x00" not in sample else {}
    try:
        codec = codecs.lookup(guess.get("encoding") or "").name
    except LookupError:
        codec = ""
    if (codec and codec not in _WESTERN and not codec.startswith(("utf-16", "utf-32"))
            and (guess.get("confidence") or 0) >= _DETECTOR_CONFIDENCE
            and _valid(body, codec, 1 << 20, skip)):
        return codec
    east_asian = _east_asian_encoding(sample, codec)
    if east_asian and _valid(body, east_asian, 1 << 20, skip):
        return east_asian
    return "cp1252" if _valid(body, "cp1252", 1 << 20, skip) else "latin-1"


# Double-byte encodings, most common first among reference files: CNKI and Wanfang write GBK.
_EAST_ASIAN = ("gb18030", "big5", "shift_jis", "euc_kr", "euc_jp")
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
_EAST_ASIAN_CHAR = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef]")


def _east_asian_encoding(sample: bytes, guess: str) -> str | None:
    """A double-byte encoding for a short file the detector is unsure of (a BibTeX entry with one
    Chinese name and journal gets a confidence of 0.02), or None.

    In such files every byte above 127 comes in pairs that fill whole words, while Western
    single-byte text has accented letters inside Latin words, so runs of odd length or mostly
    non-CJK characters rule the double-byte reading out.
    """
    runs = _HIGH_RUN.findall(sample)
    if not runs or any(len(run) % 2 for run in runs):
        return None
    candidates = ((guess,) if guess in _EAST_ASIAN else ()) + _EAST_ASIAN
    for codec in candidates:
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            # The sample may end inside a character; the whole body is checked afterwards.
            try:
                text = sample[:-1].decode(codec)
            except UnicodeDecodeError:
                continue
        wide = [ch for ch in text if ord(ch) > 127]
        if wide and sum(1 for ch in wide if _EAST_ASIAN_CHAR.match(ch)) >= 0.95 * len(wide):
            return codec
    return None


def decode(data: Data, filename: str | None = None) -> str:
    """Decode ``data`` to text with universal newlines ("\\n" only).

    Raises ImportFormatError for content that is not text at all (NUL bytes or
    control characters), so binary uploads are refused with a clear reason.
    """
    data = read_all(data)
    encoding, skip = sniff_encoding(data)
    body = data[skip:] if skip else data
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding.startswith(("utf-16", "utf-32")):
            raise ImportFormatError(
                f"the file declares {encoding.upper()} but is not valid {encoding.upper()} "
                f"(byte {exc.start})",
                filename=filename,
            ) from None
        # cp1252 leaves five bytes undefined; Latin-1 maps every byte, so it is the last resort.
        text = body.decode(legacy_encoding(body))
    _refuse_binary(text, filename)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _expected() -> str:
    from .formats import EXPECTED  # the registry imports the readers, which import this module

    return EXPECTED


def _refuse_binary(text: str, filename: str | None) -> None:
    sample = text[:65536]
    nul = sample.find("\x00")
    if nul >= 0:
        line = sample.count("\n", 0, nul) + 1
        raise ImportFormatError(
            f"this is a binary file, not a text export (it contains NUL bytes); {_expected()}",
            filename=filename,
            line=line,
        )
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f\v")
    if sample and controls > max(8, len(sample) // 100):
        raise ImportFormatError(
            f"this looks like binary data, not a text export (many control characters); {_expected()}",
            filename=filename,
        )


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, line) without building a list of all lines."""
    pos = 0
    number = 1
    end = len(text)
    while pos < end:
        nl = text.find("\n", pos)
        if nl < 0:
            yield number, text[pos:]
            return
        yield number, text[pos:nl]
        pos = nl + 1
        number += 1


#: what a line-tagged reader takes: the whole text, or (line number, line) pairs decoded as they come
Lines = str | Iterable[tuple[int, str]]


def as_lines(source: Lines) -> Iterable[tuple[int, str]]:
    """Accept either text or an iterator of (number, line) pairs."""
    return iter_lines(source) if isinstance(source, str) else source


def _valid(data: Data | memoryview, encoding: str, chunk: int, skip: int = 0) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for piece in iter_chunks(data, skip, chunk):
            decoder.decode(piece)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def iter_decoded_line_blocks(data: Data, filename: str | None = None,
                             chunk: int = 1 << 20) -> Iterator[list[str]]:
    """Yield lists of lines (line endings removed) decoded from the upload a chunk at a time.

    Unlike ``decode`` this never holds the whole text: given the bytes, memory stays
    at their size plus one chunk; given an open file (the stored upload), at one chunk,
    however large the file. That is what lets ``iter_parse`` stream a 2 GB RIS file.
    Handing out a chunk's lines as one list spares the per-line generator step that a
    3-million-line file notices.
    """
    head = head_bytes(data, 65536 + 4)
    encoding, skip = sniff_encoding(head)
    if encoding == "utf-8" and not _valid(data, "utf-8", chunk, skip):
        encoding = legacy_encoding(data, skip)
    elif encoding != "utf-8" and not _valid(data, encoding, chunk, skip):
        declared = encoding.upper()
        raise ImportFormatError(f"the file declares {declared} but is not valid {declared}", filename=filename)
    _refuse_binary(head[skip:skip + 65536].decode(encoding, errors="replace"), filename)
    decoder = codecs.getincrementaldecoder(encoding)()
    cr_only = None
    pending = ""
    for piece in _decoded_pieces(decoder, iter_chunks(data, skip, chunk)):
        if cr_only is None and piece:
            cr_only = "\r" in piece and "\n" not in piece
        if cr_only:
            piece = piece.replace("\r", "\n")
        pending += piece
        if "\r\n" in pending:
            # One CR before each LF belongs to the line ending; joining the pending tail
            # first keeps a CRLF split across two chunks together.
            pending = pending.replace("\r\n", "\n")
        lines = pending.split("\n")
        pending = lines.pop()
        if lines:
            yield lines
    if pending:
        yield [pending.removesuffix("\r")]


def _decoded_pieces(decoder: codecs.IncrementalDecoder, chunks: Iterable[bytes | memoryview]) -> Iterator[str]:
    for raw in chunks:
        yield decoder.decode(raw)
    yield decoder.decode(b"", final=True)


class DecodedLines:
    """(line number, line) pairs decoded from uploaded bytes; ``blocks()`` gives them a chunk at a time."""

    def __init__(self, data: Data, filename: str | None = None, chunk: int = 1 << 20):
        self._blocks = iter_decoded_line_blocks(data, filename, chunk)

    def blocks(self) -> Iterator[list[str]]:
        return self._blocks

    def __iter__(self) -> Iterator[tuple[int, str]]:
        number = 1
        for lines in self._blocks:
            for line in lines:
                yield number, line
                number += 1


def iter_decoded_lines(data: Data, filename: str | None = None, chunk: int = 1 << 20) -> DecodedLines:
    """(line number, line) pairs straight from the bytes or the open file, decoded a chunk at a time."""
    return DecodedLines(data, filename, chunk)
