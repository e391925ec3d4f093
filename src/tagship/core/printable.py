"""Text from outside (an index's free text, a server's field) made safe to print on one line.

A terminal obeys escape sequences (`ESC ]8;;` links, `ESC [2J` clears) and a CR or line
separator lets the text forge a line of its own; a bidi override makes a reviewer read it
backwards. Each such character is shown as its Python escape (`\\x1b`, `\\u202e`) instead:
the text stays legible and nothing in it acts.
"""

from __future__ import annotations

import unicodedata

# controls, format characters (bidi overrides, zero-width), line and paragraph separators
_ACTING = frozenset(("Cc", "Cf", "Zl", "Zp"))


def printable(text: str, keep: str = "") -> str:
    """`text` with every character that would act rather than show escaped, but those of
    `keep` (a page's line breaks)."""
    if text.isprintable():  # the common case, at C speed
        return text
    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char) in _ACTING and char not in keep
        else char
        for char in text
    )
