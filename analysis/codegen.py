"""Values from a review's data written into generated R and Python source, only ever as literals.

The scripts the app writes (a run's reproduce.R and reproduce.py, the R archive's run_all.R) are
code that every member runs on their own machine, and titles, names, labels and folder names in
them come from the review's data or from an imported archive. Each such value goes through the one
function here for its target language, which writes a literal the language reads back as exactly
that value and as nothing else. Generated comments carry no data at all: a comment ends at the
first newline, so a title in a comment is a way to start a line of code.

Plain Python (no Django): the engine's import contract covers this module.
"""
from __future__ import annotations

import math


class NotALiteral(ValueError):
    """A value no literal of the target language can carry (a NaN, an object, a number as text
    from a forged archive...): the script is refused rather than written with it."""


#: R cannot hold NUL in a string, and a lone surrogate is not a character R (or UTF-8) accepts
REPLACEMENT = "\ufffd"
#: Rscript reads a script in 4,096-byte blocks and misreads an escape cut by a block's end, so a
#: long text is written as pieces of at most this many characters, one a line
R_LINE = 100
_R_SHORT = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _r_char(c: str) -> str:
    if c in _R_SHORT:
        return _R_SHORT[c]
    if " " <= c <= "~":
        return c
    point = ord(c)
    if point == 0 or 0xD800 <= point <= 0xDFFF:
        point = ord(REPLACEMENT)
    # braces end the escape, so a following letter or digit cannot be read as part of it
    return f"\\u{{{point:04x}}}" if point <= 0xFFFF else f"\\U{{{point:08x}}}"


def r_string(text: str) -> str:
    """An R (4.x) expression for ``text``: a string literal, or for long text ``paste0`` of
    literals, one a line.

    The literals are printable ASCII: every control character, line or paragraph separator and
    non-ASCII character is a ``\\u{...}``/``\\U{...}`` escape, so the file parses the same in any
    locale and no character of the data can end the string or the line. NUL and lone surrogates,
    which R strings cannot hold, become U+FFFD.
    """
    if not isinstance(text, str):
        raise NotALiteral(f"an R string literal holds text, not {type(text).__name__}: {text!r:.80}")
    pieces, piece = [], ""
    for c in text:
        escaped = _r_char(c)
        if len(piece) + len(escaped) > R_LINE:
            pieces.append(piece)
            piece = ""
        piece += escaped
    pieces.append(piece)
    if len(pieces) == 1:
        return f'"{piece}"'
    return "paste0(" + ",\n       ".join(f'"{p}"' for p in pieces) + ")"


def r_strings(texts) -> str:
    """An R character vector: ``c("a", "b")`` (an element a line when long), or ``character(0)``."""
    items = [r_string(t) for t in texts]
    if not items:
        return "character(0)"
    joined = ", ".join(items)
    return f"c({joined})" if len(joined) <= R_LINE and "\n" not in joined else "c(" + ",\n  ".join(items) + ")"


def r_number(value) -> str:
    """An R numeric literal for a finite number (data from an archive may hold anything else)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise NotALiteral(f"not a finite number for R: {value!r:.80}")
    return repr(float(value))


def py_literal(value) -> str:
    """A Python literal for text, numbers, booleans, None, and lists, tuples and dicts of them.

    Text is written by ``str.__repr__``, which escapes quotes, backslashes and every non-printable
    character (newlines, U+2028, lone surrogates...), so ``ast.literal_eval`` gives the value back
    and the literal cannot end early. The base types' own ``__repr__`` is called, so a subclass
    cannot bring its own text.
    """
    if value is None:
        return "None"
    if isinstance(value, str):
        return str.__repr__(value)
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if not math.isfinite(value):  # repr gives nan/inf, which are names, not literals
            raise NotALiteral(f"not a finite number for Python: {value!r}")
        return float.__repr__(value)
    if isinstance(value, list):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        items = [py_literal(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise NotALiteral("a Python literal's dict keys are text here")
        return "{" + ", ".join(f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items()) + "}"
    raise NotALiteral(f"no Python literal for {type(value).__name__}")
