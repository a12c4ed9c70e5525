"""The one exception importers raise on bad input."""
from __future__ import annotations


class ImportFormatError(ValueError):
    """A file could not be read as a bibliographic export.

    The message names the file and, where known, the line and what was
    expected there, so a user can fix the file and try again.
    """

    def __init__(self, message: str, *, filename: str | None = None, line: int | None = None):
        self.reason = message
        self.filename = filename
        self.line = line
        where = filename or "the file"
        if line is not None:
            where = f"{where}, line {line}"
        super().__init__(f"{where}: {message}")
