"""A record read from a line-tagged format (RIS, MEDLINE, Web of Science):
its tags in file order, the verbatim text, and where it starts."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TaggedRecord:
    line: int
    tags: list[tuple[str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def add(self, tag: str, value: str) -> None:
        self.tags.append((tag, value))

    def extend_last(self, text: str, separator: str = " ") -> None:
        """Append a continuation line to the value of the last tag."""
        tag, value = self.tags[-1]
        self.tags[-1] = (tag, f"{value}{separator}{text}" if value else text)

    def values(self, *tags: str) -> list[str]:
        """Non-empty values of the given tags, in file order."""
        wanted = set(tags)
        return [v.strip() for t, v in self.tags if t in wanted and v.strip()]

    def first(self, *tags: str) -> str | None:
        """First non-empty value, trying the tags in the order given."""
        for tag in tags:
            for t, v in self.tags:
                if t == tag and v.strip():
                    return v.strip()
        return None

    def joined(self, *tags: str, separator: str = " ") -> str | None:
        """All values of the first tag present, joined (titles split over repeated tags)."""
        for tag in tags:
            found = self.values(tag)
            if found:
                return separator.join(found)
        return None

    @property
    def raw(self) -> str:
        return "\n".join(self.lines)
