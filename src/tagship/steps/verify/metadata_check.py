"""Checks of core metadata (a wheel's METADATA, an sdist's PKG-INFO) against the project."""

from __future__ import annotations

import io
import re
from email.message import Message
from typing import TYPE_CHECKING

# packaging's own ExceptionGroup on Python 3.10, the builtin one on 3.11+
from packaging.metadata import ExceptionGroup as MetadataErrors
from packaging.metadata import InvalidMetadata, Metadata
from packaging.utils import canonicalize_name

if TYPE_CHECKING:
    from packaging.version import Version

_NO_README_HINT = "set [project].readme"
# the prefix that keeps a distribution off PyPI by design ("Private :: Do Not Upload")
_PRIVATE = re.compile(r"\s*private\s*::", re.IGNORECASE)


def _errors(exc: BaseException) -> str:
    # packaging raises an ExceptionGroup of InvalidMetadata; flatten it to one line
    inner = getattr(exc, "exceptions", None)
    if isinstance(inner, (list, tuple)):
        return "; ".join(_errors(e) for e in inner)
    return str(exc)


def parse_metadata(raw: bytes) -> tuple[Metadata | None, str | None]:
    """Parsed and validated metadata, or None and why it is not valid."""
    try:
        return Metadata.from_email(raw, validate=True), None
    except (MetadataErrors, InvalidMetadata, ValueError) as exc:
        return None, _errors(exc)


def render_problem(description: str | None, content_type: str | None) -> str | None:
    """Why the long description would not render on PyPI, or None when it renders."""
    if description is None or not description.strip() or description.strip() == "UNKNOWN":
        return f"has no long description ({_NO_README_HINT})"
    header = Message()
    header["content-type"] = content_type or "text/x-rst"
    kind = header.get_content_type()
    if kind == "text/markdown":
        import readme_renderer.markdown  # noqa: PLC0415 - slow import, verification only

        variant = str(header.get_param("variant") or "GFM")
        if readme_renderer.markdown.render(description, variant=variant) is None:
            return f"long description: unknown Markdown variant {variant!r}"
        return None
    if kind == "text/x-rst":
        import readme_renderer.rst  # noqa: PLC0415

        warnings = io.StringIO()
        if readme_renderer.rst.render(description, stream=warnings) is None:
            first = next((ln for ln in warnings.getvalue().splitlines() if ln.strip()), "")
            return f"long description (reStructuredText) does not render: {first.strip()}"
        return None
    if kind == "text/plain":
        return None
    return f"long description has content type {kind!r}, which PyPI does not render"


def metadata_problems(
    raw: bytes, where: str, expected_name: str, expected_version: Version
) -> list[str]:
    """Everything wrong with one metadata file, as messages naming `where`."""
    meta, error = parse_metadata(raw)
    if meta is None:
        return [f"{where} is not valid core metadata: {error}"]
    problems = []
    if canonicalize_name(meta.name) != canonicalize_name(expected_name):
        problems.append(f"{where} names the project {meta.name!r}, expected {expected_name!r}")
    if meta.version != expected_version:
        problems.append(f"{where} has version {meta.version}, expected {expected_version}")
    if not (meta.summary or "").strip():
        problems.append(f"{where} has no summary (set [project].description)")
    rendered = render_problem(meta.description, meta.description_content_type)
    if rendered is not None:
        problems.append(f"{where} {rendered}")
    problems += [
        f"{where} has the classifier {c!r}, and PyPI refuses every upload with a "
        "`Private ::` classifier (remove it from [project].classifiers to publish)"
        for c in meta.classifiers or ()
        if _PRIVATE.match(c)
    ]
    return problems
