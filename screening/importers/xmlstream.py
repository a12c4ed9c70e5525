"""Stream the record elements of an XML export with lxml, one at a time, with
entity expansion and network access off (uploads are untrusted)."""
from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from .decode import Data, as_file
from .errors import ImportFormatError


def iter_elements(data: Data, tags: tuple[str, ...], filename: str | None, what: str) -> Iterator[etree._Element]:
    """Yield each element named in ``tags`` once it is complete, then free it."""
    parser_args = dict(
        events=("end",),
        tag=tags,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )
    found = 0
    try:
        for _event, elem in etree.iterparse(as_file(data), **parser_args):
            found += 1
            yield elem
            # Free what has been read so a large export needs little memory.
            elem.clear(keep_tail=False)
            parent = elem.getparent()
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if getattr(exc, "lineno", None) else None
        message = str(exc.msg if hasattr(exc, "msg") and exc.msg else exc)
        raise ImportFormatError(
            f"the XML is not well-formed ({message}); the file may be truncated or damaged "
            f"(expected a complete {what} file)",
            filename=filename,
            line=line,
        ) from None
    if not found:
        names = " or ".join(f"<{t}>" for t in tags)
        raise ImportFormatError(
            f"no {names} elements found; expected {what}",
            filename=filename,
        )


def text(elem: etree._Element, path: str | None = None) -> str | None:
    """All text inside an element (EndNote's <style> runs, PubMed's <i>, MathML) joined."""
    node = elem.find(path) if path else elem
    if node is None:
        return None
    value = "".join(node.itertext()).strip()
    return value or None


def texts(elem: etree._Element, path: str) -> list[str]:
    out: list[str] = []
    for node in elem.iterfind(path):
        value = "".join(node.itertext()).strip()
        if value:
            out.append(value)
    return out


def raw(elem: etree._Element) -> str:
    return str(etree.tostring(elem, encoding="unicode"))
