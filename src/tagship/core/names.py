"""Project names as the simple API spells them."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[-_.]+")


def normalized_name(name: str) -> str:
    """PEP 503 normalisation: `Foo.Bar_baz` -> `foo-bar-baz`. packaging's canonicalize_name
    gives the same for valid names, but importing packaging.utils also imports
    packaging.tags (about 10 ms), which `wait` and `publish` would pay on every start."""
    return _SEPARATORS.sub("-", name).lower()
