"""Data written into generated R and Python is read back by each language as exactly that data,
and as nothing else: no character of a title can end the literal or start a line of code."""
from __future__ import annotations

import ast
import random
import re
import shutil
import subprocess

import pytest

from analysis.codegen import R_LINE, REPLACEMENT, NotALiteral, py_literal, r_number, r_string, r_strings
from tests.support import require

#: what a title, a name or a label may hold to break out of a literal or a comment
HOSTILE = [
    "",
    'Trial\nsystem("touch pwned")\n#',
    '"); system("touch pwned"); ("',
    '\\"); system("touch pwned"); ("\\',
    "\\",
    '"""\n__import__("os").system("touch pwned")\n"""',
    "'''\n__import__('os').system('touch pwned')\n'''",
    "line\u2028separator\u2029paragraph\x85next line\r\ncarriage",
    "tab\tbell\x07escape\x1b[31mred\x7fdel",
    "`backticks` ${dollar} %percent% {braces} #hash",
    "Ünïcödé — “quotes” 𝔘 😀 \ufeffbom \u200bzero-width",
    "\\u0041 is not A, \\n is not a newline, \\x41 \\U{41}",
    "long 𝔘" * 300 + '\n"); system("touch pwned")',
]
#: code points R strings cannot hold, which come back as U+FFFD
UNREPRESENTABLE_IN_R = ["nul\x00byte", "lone \ud800 surrogate \udfff"]


def random_texts(count: int, seed: int = 535) -> list[str]:
    """Texts drawn from every plane of Unicode, control characters and quotes over-represented."""
    rng = random.Random(seed)
    pools = ['"', "'", "\\", "\n", "\r", "\u2028", "\u2029", "#", "`", "a", "\x01"]
    texts = []
    for _ in range(count):
        chars = []
        for _ in range(rng.randint(0, 40)):
            kind = rng.random()
            if kind < 0.4:
                chars.append(rng.choice(pools))
            elif kind < 0.7:
                chars.append(chr(rng.randint(0x20, 0x7E)))
            elif kind < 0.9:
                chars.append(chr(rng.randint(0x80, 0xFFFF)))
            else:
                chars.append(chr(rng.randint(0x10000, 0x10FFFF)))
        texts.append("".join(chars))
    return texts


def in_r(text: str) -> str:
    """What R holds after reading ``r_string(text)``."""
    return "".join(REPLACEMENT if c == "\x00" or 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


@pytest.mark.parametrize("text", HOSTILE + UNREPRESENTABLE_IN_R + random_texts(300))
def test_python_reads_the_literal_back_as_the_same_text_and_as_one_value(text):
    literal = py_literal(text)
    module = ast.parse(f"TITLE = {literal}\n")
    # one statement, assigning one constant: nothing of the text became code
    assert len(module.body) == 1 and isinstance(module.body[0].value, ast.Constant)
    assert ast.literal_eval(literal) == text


def test_python_literals_of_containers_numbers_and_none_read_back():
    value = {"method": "REML", "level": 95.0, "names": ["a\n", '"""'], "pair": ("x",), "k": 3, "ok": True,
             "none": None, "tiny": 1e-300}
    assert ast.literal_eval(py_literal(value)) == value


class Sneaky(str):
    def __repr__(self):
        return "__import__('os').system('touch pwned')"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), object(), {1: "a"}, {"a": {2}}])
def test_python_literals_refuse_what_has_no_literal(value):
    with pytest.raises(NotALiteral):
        py_literal(value)


def test_a_text_subclass_cannot_bring_its_own_repr():
    assert ast.literal_eval(py_literal(Sneaky("plain"))) == "plain"


@pytest.mark.parametrize("text", HOSTILE + UNREPRESENTABLE_IN_R + random_texts(300))
def test_the_r_expression_is_literals_in_short_lines_of_printable_ascii(text):
    expression = r_string(text)
    lines = expression.split("\n")
    assert all(line.isascii() and line.isprintable() and len(line) <= R_LINE + 10 for line in lines)
    # every quote and backslash belongs to a literal or an escape in it: outside the literals
    # there is at most the paste0( , ) that joins a long text's pieces
    outside = re.sub(r'"(?:\\.|[^"\\])*"', "", expression)
    assert outside == "" or re.fullmatch(r"paste0\((,\s*)*\)", outside), outside


def test_r_vectors_and_numbers():
    assert r_strings([]) == "character(0)"
    assert r_strings(["a", 'b"']) == 'c("a", "b\\"")'
    assert r_number(95) == "95.0" and r_number(1e-12) == "1e-12"
    for bad in (float("nan"), float("inf"), "95); system('x')", True, None):
        with pytest.raises(NotALiteral):
            r_number(bad)
    with pytest.raises(NotALiteral):
        r_string(3)


@pytest.mark.oracle
@pytest.mark.parametrize("how", ["Rscript", "source"])
def test_r_reads_every_literal_back_as_the_same_text(tmp_path, how):
    require(shutil.which("Rscript") is not None, "Rscript is not installed (apt-get install r-base-core)")
    texts = HOSTILE + UNREPRESENTABLE_IN_R + random_texts(300)
    # R prints each string's code points on a line of its own: nothing of the text reaches the output
    script = tmp_path / "literals.R"
    script.write_text(f"TEXTS <- {r_strings(texts)}\n"
                      "for (t in TEXTS) cat(paste(utf8ToInt(enc2utf8(t)), collapse = ' '), '\\n', sep = '')\n",
                      encoding="ascii")
    command = ["Rscript", "literals.R"] if how == "Rscript" else ["Rscript", "-e", 'source("literals.R")']
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")[:-1]
    assert len(lines) == len(texts)
    for text, line in zip(texts, lines, strict=True):
        assert [int(p) for p in line.split()] == [ord(c) for c in in_r(text)], text
    assert not (tmp_path / "pwned").exists()
