"""The build manifest: what was built, from which commit, by what, and each file's hashes.

`DIR/tagship-manifest.json` is written by `tagship build` once the artifacts passed
verification. Every later step (publish, install check, audit) trusts only files whose size
and hashes match it. The JSON is plain and stable (sorted files, no timestamps), so the same
commit built twice gives the same manifest:

    {
      "format": 1,
      "project": "charmos", "version": "0.4.22", "tag": "v0.4.22",
      "commit": "<40 hex>", "dirty": false, "source_date_epoch": 1767225600,
      "builder": "uv 0.9.5", "build_backend": "hatchling.build",
      "backend_version": "hatchling 1.27.0",
      "files": [{"name": "charmos-0.4.22.tar.gz", "kind": "sdist", "size": 1234,
                 "sha256": "<hex>", "blake2b_256": "<hex>"}, ...]
    }

A release that promotes the dry run's files instead of building (`tagship promote`) adds
`"promotion": {"dry_run_record": 12, "index": "testpypi", "rebuild_check": "byte-identical"}`:
the dry run's ledger record, the test index the files were fetched from, and what rebuilding
the tag gave (null until `tagship rebuild-check` ran). Manifests of builds have no such key.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from tagship.core.build_output import Kind, dist_kind
from tagship.core.errors import IntegrityError

MANIFEST_NAME = "tagship-manifest.json"
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class ManifestFile:
    """One built file: its name in the directory, its kind, size and hex digests."""

    name: str
    kind: Kind
    size: int
    sha256: str
    blake2b_256: str


@dataclass(frozen=True)
class Promotion:
    """Where promoted files came from: the dry run's ledger record and its test index; and
    the rebuild cross-check's verdict, once made."""

    dry_run_record: int
    index: str
    rebuild_check: str | None = None


@dataclass(frozen=True)
class Manifest:
    """One build of one version: provenance and the files it produced."""

    project: str
    version: str
    tag: str
    commit: str
    dirty: bool  # built from a work tree with uncommitted changes (--allow-dirty)
    source_date_epoch: int
    builder: str  # the build frontend and its version, e.g. "uv 0.9.5"
    build_backend: str  # [build-system].build-backend, e.g. "hatchling.build"
    backend_version: str  # the wheel's Generator, e.g. "hatchling 1.27.0"
    files: tuple[ManifestFile, ...]
    promotion: Promotion | None = None

    @property
    def sdist(self) -> ManifestFile:
        return next(f for f in self.files if f.kind == "sdist")

    @property
    def wheels(self) -> tuple[ManifestFile, ...]:
        return tuple(f for f in self.files if f.kind == "wheel")

    def file(self, name: str) -> ManifestFile | None:
        return next((f for f in self.files if f.name == name), None)

    def to_json(self) -> str:
        data: dict[str, Any] = {"format": MANIFEST_FORMAT, **asdict(self)}
        data["files"] = [asdict(f) for f in sorted(self.files, key=lambda f: f.name)]
        if self.promotion is None:
            del data["promotion"]  # a build's manifest stays as it always was
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str) -> Manifest:
        """Parse a manifest; anything malformed is an IntegrityError naming `where`."""
        try:
            return _parse(json.loads(text))
        # RecursionError: JSON nested thousands deep
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            raise IntegrityError(
                f"the manifest {where} is malformed ({exc})",
                hint="rebuild: tagship build --clean",
            ) from None


_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
# path separators (either OS's), a drive letter: a name must not reach out of its directory
_NOT_IN_A_NAME = frozenset("/\\:")


def unnormalised(stem: str) -> list[str]:
    """What is not normalised (PEP 427, PEP 625) in `name-version`, the start of a
    distribution's file name."""
    raw_name, _, raw_version = stem.partition("-")
    problems = []
    if raw_name != canonicalize_name(raw_name).replace("-", "_"):
        problems.append(f"the name {raw_name!r} in the file name is not normalised")
    if raw_version != normal_version(raw_version):
        problems.append(f"the version {raw_version!r} in the file name is not normalised")
    return problems


def normal_version(text: str) -> str:
    """`text` in its normal form; unchanged when it is not a version at all."""
    try:
        return str(Version(text))
    except InvalidVersion:
        return text


def name_problem(name: str, kind: str) -> str | None:
    """Why `name` cannot name a file of the manifest (None when it can): only a bare,
    normalised file name of its kind, so no entry ever reaches outside the build directory."""
    if (
        not name.isascii()
        or not name.isprintable()  # NUL and other control characters
        or name.startswith(".")  # "..", and hidden files, which are never build output
        or _NOT_IN_A_NAME & set(name)
    ):
        return f"{name!r} is not a bare file name"
    if dist_kind(name) != kind:
        return f"{name!r} is listed as kind {kind!r}, which its name is not"
    try:
        if kind == "wheel":
            parse_wheel_filename(name)
            stem = "-".join(name.split("-")[:2])
        else:
            parse_sdist_filename(name)
            stem = name[: -len(".tar.gz")]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion) as exc:
        return f"{name!r} is not a valid file name: {exc}"
    found = unnormalised(stem)
    return f"{name!r}: {found[0]}" if found else None


def _field(data: dict[str, Any], key: str, kind: type[Any]) -> Any:
    value = data[key]
    # bool is an int in Python; a count or a time must not be true/false
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{key!r} must be {kind.__name__}")
    return value


def _file(entry: Any) -> ManifestFile:
    if not isinstance(entry, dict):
        raise TypeError("a files entry is not an object")
    name = _field(entry, "name", str)
    kind = _field(entry, "kind", str)
    if kind not in ("sdist", "wheel"):
        raise ValueError(f"{name!r}: unknown kind {kind!r}")
    problem = name_problem(name, kind)
    if problem is not None:
        raise ValueError(problem)
    digests = [_field(entry, key, str) for key in ("sha256", "blake2b_256")]
    if not all(_HEX_DIGEST.fullmatch(d) for d in digests):
        raise ValueError(f"{name}: a digest is not 64 hex digits")
    size = _field(entry, "size", int)
    if size < 0:
        raise ValueError(f"{name}: negative size {size}")
    # hex digests compare as numbers: upper case is the same digest
    return ManifestFile(name, kind, size, *(d.lower() for d in digests))


def _parse(data: Any) -> Manifest:
    if not isinstance(data, dict):
        raise TypeError("not a JSON object")
    if data.get("format") != MANIFEST_FORMAT:
        raise ValueError(f"unknown format {data.get('format')!r}")
    entries = _field(data, "files", list)
    files = tuple(_file(entry) for entry in entries)
    twice = sorted(n for n, count in Counter(f.name for f in files).items() if count > 1)
    if twice:
        raise ValueError(f"{twice[0]!r} is listed more than once")
    if sum(f.kind == "sdist" for f in files) != 1 or all(f.kind != "wheel" for f in files):
        raise ValueError("it must list one sdist and at least one wheel")
    texts = ("project", "version", "tag", "commit", "builder", "build_backend", "backend_version")
    return Manifest(
        **{key: _field(data, key, str) for key in texts},
        dirty=_field(data, "dirty", bool),
        source_date_epoch=_field(data, "source_date_epoch", int),
        files=files,
        promotion=_promotion(data["promotion"]) if "promotion" in data else None,
    )


def _promotion(raw: Any) -> Promotion:
    if not isinstance(raw, dict):
        raise TypeError("'promotion' is not an object")
    record = _field(raw, "dry_run_record", int)
    if record < 0:
        raise ValueError(f"negative dry run record {record}")
    verdict = raw.get("rebuild_check")
    if verdict is not None and not isinstance(verdict, str):
        raise TypeError("'rebuild_check' must be str or null")
    return Promotion(record, _field(raw, "index", str), verdict)
