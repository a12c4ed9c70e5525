"""No hand-made plurals in what people read: a count's noun goes through ngettext (Python; the
standard library's in the pure cores) or `pluralize` (templates), so "1 of 22 studies is", never
"1 studies are" or "record(s)". The scan fails on the shapes the code used to have."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("analysis", "extraction", "reviewapp", "screening")
PYTHON_SHAPES = {
    "a suffix by condition ('s' if n != 1)": re.compile(r"""['"]s['"] if """),
    "a word by condition ('study' if n == 1 else 'studies')": re.compile(
        r"""['"][A-Za-z]+['"] if [^'"]+ [!=]= 1 else ['"][A-Za-z]+['"]"""),
    "a count then noun(s)": re.compile(r"\}[^{}\"']{0,40}\b[a-z]+\(s\)"),
}
# A template count followed by a plural noun with no pluralize between them.
TEMPLATE_SHAPE = re.compile(
    r"\}\} (studies|records|reports|decisions|analyses|runs|differences|conflicts|files|searches|pairs|"
    r"outcomes|fields|questions|members|entries|extractions|appraisals|duplicates|reviewers|items)\b")


def _python_files():
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def _templates():
    yield from (ROOT / "templates").rglob("*.html")
    for package in PACKAGES:
        yield from (ROOT / package).rglob("templates/**/*.html")


def test_python_counts_use_ngettext():
    found = [f"{path.relative_to(ROOT)}:{n}: {what}: {line.strip()}"
             for path in _python_files()
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             for what, shape in PYTHON_SHAPES.items() if shape.search(line)]
    assert not found, "\n".join(found)


def test_template_counts_use_pluralize():
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()[:160]}"
             for path in _templates()
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if TEMPLATE_SHAPE.search(line)]
    assert not found, "\n".join(found)


def test_the_scan_recognises_the_shapes_it_forbids():
    assert PYTHON_SHAPES["a suffix by condition ('s' if n != 1)"].search("f\"{n} record{'s' if n != 1 else ''}\"")
    assert PYTHON_SHAPES["a word by condition ('study' if n == 1 else 'studies')"].search(
        "f\"{k} {'study' if k == 1 else 'studies'}\"")
    assert PYTHON_SHAPES["a count then noun(s)"].search('f"{len(ids)} analysis run(s) sent"')
    assert TEMPLATE_SHAPE.search("{{ row.k }} studies (")
