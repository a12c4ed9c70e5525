"""Read a labelled screening set (CSV, optionally gzipped) for simulation and benchmarks."""
from __future__ import annotations

from dataclasses import dataclass
from gettext import ngettext
from pathlib import Path

import pandas as pd

from .features import record_text

LABEL_COLUMNS = ("label_included", "included")


class LabelledSetError(ValueError):
    """The file is not a usable labelled set; the message says what is wrong and where."""


@dataclass(frozen=True)
class LabelledSet:
    texts: list[str]
    labels: list[int]  # 1 included, 0 excluded; same order as texts

    @property
    def n_included(self) -> int:
        return sum(self.labels)


def load_labelled_csv(path: str | Path) -> LabelledSet:
    """Columns ``title``, ``abstract`` and ``label_included`` (or ``included``); others ignored.

    Labels must be 0 or 1 in every row (a missing label would silently become an exclusion).
    Compression is inferred from the name (``.gz`` etc.).
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, EOFError) as exc:
        raise LabelledSetError(f"{path}: cannot be read as CSV ({exc})") from exc
    columns = {c.strip().lower(): c for c in frame.columns}
    label_column = next((columns[c] for c in LABEL_COLUMNS if c in columns), None)
    missing = [c for c in ("title", "abstract") if c not in columns]
    if label_column is None:
        missing.append(" or ".join(LABEL_COLUMNS))
    if missing:
        raise LabelledSetError(f"{path}: missing {ngettext('column', 'columns', len(missing))} {', '.join(missing)}; "
                               f"found {', '.join(map(str, frame.columns))}")
    labels = []
    for row, value in enumerate(frame[label_column], start=1):
        value = value.strip().removesuffix(".0")  # spreadsheets write 1 as 1.0
        if value not in ("0", "1"):
            raise LabelledSetError(f"{path}, record {row} (after the header): {label_column} must be 0 or 1, "
                                   f"not {value!r}")
        labels.append(int(value))
    texts = [record_text(t, a) for t, a in zip(frame[columns["title"]], frame[columns["abstract"]], strict=True)]
    return LabelledSet(texts=texts, labels=labels)
