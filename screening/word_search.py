"""Search words turned into PostgreSQL full-text queries that find words starting with them (#30).

The records list looks for each typed word in the title, authors and abstract through one word
index (migration 0023), so the word must become a ``tsquery``, whose syntax has operators (``& | ! <-> : * ( )``)
and quoting: user text never goes through that syntax. The database first splits the word into
lexemes with the same parser and dictionary as the index (``to_tsvector``, where the text is
plain data; "COVID-19" gives "covid" and "-19"); here each lexeme is quoted and marked as a
prefix (``:*``), and all of one word's lexemes must be present. The result is read by the
``tsquery`` type's input as it stands (no second parse). A word without lexemes (only
punctuation) gives no query: it can then match only the DOI or PMID.
"""
from __future__ import annotations

#: what the records search finds, said on the records page and in the API's schema
SEARCH_HELP = ("Every word must be found: at the start of a word of the title, an author's name or the "
               "abstract (\u201crandom\u201d finds \u201crandomised\u201d), or as the whole DOI or PMID.")
#: lexemes kept from one word: more cannot narrow a search usefully and would only lengthen the query
MAX_LEXEMES = 8
#: characters kept of a lexeme: a prefix of a long word still finds it
MAX_LEXEME_CHARS = 100


def _quoted(lexeme: str) -> str:
    # Inside a tsquery's quotes a quote is doubled and a backslash escapes the next character.
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "':*"


def prefix_tsquery(lexemes: list[str]) -> str | None:
    """The ``tsquery`` text that finds a document holding a word starting with each of ``lexemes``
    (as the database's ``to_tsvector`` gave them for one search word), or None without any."""
    kept = [lexeme[:MAX_LEXEME_CHARS] for lexeme in lexemes if lexeme][:MAX_LEXEMES]
    if not kept:
        return None
    return " & ".join(_quoted(lexeme) for lexeme in kept)
