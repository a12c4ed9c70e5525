"""A record read from a line-tagged format (RIS, MEDLINE, Web of Science):
its tags in file order, the verbatim text, and where it starts."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TaggedRecord:
    line: int
    tags: list[tuple[str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    # Non-empty stripped values by tag, built on the first lookup: turning a record into
    # a Citation asks for some twenty tags, and scanning every tag for each was a tenth
    # of the parse. Readers fill ``tags`` before they look anything up.
    _by_tag: dict[str, list[str]] | None = field(default=None, init=False, repr=False, compare=False)

    def add(self, tag: str, value: str) -> None:
        self.tags.append((tag, value))
        self._by_tag = None

    def extend_last(self, text: str, separator: str = " ") -> None:
        """Append a continuation line to the value of the last tag."""
        tag, value = self.tags[-1]
        self.tags[-1] = (tag, f"{value}{separator}{text}" if value else text)
        self._by_tag = None

    def by_tag(self) -> dict[str, list[str]]:
        """Non-empty stripped values by tag, in file order (do not modify)."""
        if self._by_tag is not None:
            return self._by_tag
        index: dict[str, list[str]] = {}
        for tag, value in self.tags:
            value = value.strip()
            if value:
                found = index.get(tag)
                if found is None:
                    index[tag] = [value]
                else:
                    found.append(value)
        self._by_tag = index
        return index

    def values(self, *tags: str) -> list[str]:
        """Non-empty values of the given tags, in file order."""
        index = self.by_tag()
        present = [tag for tag in tags if tag in index]
        if not present:
            return []
        if len(present) == 1:
            return list(index[present[0]])
        wanted = set(present)
        return [text for t, v in self.tags if t in wanted and (text := v.strip())]

    def first(self, *tags: str) -> str | None:
        """First non-empty value, trying the tags in the order given."""
        index = self.by_tag()
        for tag in tags:
            found = index.get(tag)
            if found:
                return found[0]
        return None

    def joined(self, *tags: str, separator: str = " ") -> str | None:
        """All values of the first tag present, joined (titles split over repeated tags)."""
        for tag in tags:
            found = self.values(tag)
            if found:
                return separator.join(found)
        return None

    def line_of(self, value: str) -> int:
        """The file line where ``value`` (or its first words, for a wrapped value) stands."""
        probe = value[:30]
        for offset, text in enumerate(self.lines):
            if probe in text:
                return self.line + offset
        return self.line

    @property
    def raw(self) -> str:
        return "\n".join(self.lines)
