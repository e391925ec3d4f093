"""The fields of an upload to a package index (the legacy upload API that PyPI, TestPyPI,
pypiserver and devpi accept), built from a file's core metadata.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from packaging.metadata import parse_email
from packaging.utils import parse_wheel_filename

if TYPE_CHECKING:
    from tagship.core.manifest import ManifestFile

# packaging's RawMetadata keys -> the upload form's field names (where they differ)
_RENAMED = {
    "platforms": "platform",
    "supported_platforms": "supported_platform",
    "license_files": "license_file",
}
_SKIPPED = frozenset({"name", "version", "metadata_version"})  # sent first, explicitly


def python_tag(entry: ManifestFile) -> str:
    """`pyversion` of the form: `source` for an sdist, the wheel's python tag otherwise."""
    if entry.kind == "sdist":
        return "source"
    _, _, _, tags = parse_wheel_filename(entry.name)
    return ".".join(sorted({tag.interpreter for tag in tags}))


def _pairs(key: str, value: Any) -> list[tuple[str, str]]:
    if key == "project_urls":
        return [(key, f"{label}, {url}") for label, url in value.items()]
    if key == "keywords":
        return [(key, ", ".join(value))]
    if isinstance(value, list):
        return [(key, str(item)) for item in value]
    return [(key, str(value))]


def upload_fields(
    raw_metadata: bytes, entry: ManifestFile, attestations: list[Any] | None = None
) -> list[tuple[str, str]]:
    """Form fields for one file (the file itself goes in the `content` part)."""
    raw, _unparsed = parse_email(raw_metadata)
    fields: list[tuple[str, str]] = [
        (":action", "file_upload"),
        ("protocol_version", "1"),
        ("name", str(raw.get("name", ""))),
        ("version", str(raw.get("version", ""))),
        ("metadata_version", str(raw.get("metadata_version", ""))),
        ("filetype", "sdist" if entry.kind == "sdist" else "bdist_wheel"),
        ("pyversion", python_tag(entry)),
        ("sha256_digest", entry.sha256),
        ("blake2_256_digest", entry.blake2b_256),
    ]
    for key, value in raw.items():
        if key not in _SKIPPED:
            fields.extend(_pairs(_RENAMED.get(key, key), value))
    if attestations:
        fields.append(("attestations", json.dumps(attestations)))
    return fields
