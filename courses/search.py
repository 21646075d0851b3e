"""Search input made safe for every search backend: SQLite FTS5, PostgreSQL full text.

What people type reaches the backend only as plain words: quotes, operators (AND, OR, NOT,
NEAR, *, ^, :, parentheses) and other punctuation never become query syntax, so any input gets
an answer."""

import re

MAX_TERMS = 12
_WORD = re.compile(r"\w+")


def search_words(query: str) -> str:
    """The words of `query` (letters and digits of any script), lower case, space separated;
    empty when there are none."""
    return " ".join(word.lower() for word in _WORD.findall(query or "")[:MAX_TERMS])


def page_search(queryset, query: str):
    """`queryset.search()` with the words of `query` only; an empty result for no words."""
    words = search_words(query)
    if not words:
        return queryset.none()
    return queryset.search(words)
