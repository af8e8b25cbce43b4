"""Text edits in the ruff model: replace the text between two offsets; insertions have start == end."""

from __future__ import annotations

from dataclasses import dataclass


class OverlappingEdits(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Edit:
    start: int
    end: int
    content: str
    depth: int = 0  # insertions at one offset: the deeper one first, so it stays inside its parent

    @classmethod
    def insert(cls, offset: int, content: str, depth: int = 0) -> Edit:
        return cls(offset, offset, content, depth)


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply edits to the original text; insertions at one offset go deepest first, then in given order."""
    ordered = sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[1].end, -pair[1].depth, pair[0]))
    pieces: list[str] = []
    cursor = 0
    for _, edit in ordered:
        if edit.start < cursor:
            raise OverlappingEdits(f"edits overlap at offset {edit.start}")
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.content)
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)
