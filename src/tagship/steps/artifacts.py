"""The files of a build directory: which are distributions, their hashes, and the manifest."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tagship.adapters.files import write_atomic
from tagship.core.build_output import dist_kind, is_build_output
from tagship.core.errors import GateError, IntegrityError, UsageError
from tagship.core.manifest import MANIFEST_NAME, Kind, Manifest, ManifestFile

if TYPE_CHECKING:
    from pathlib import Path

_CHUNK = 1 << 20


@dataclass(frozen=True)
class DistFile:
    """A file of a build directory; `kind` is None for anything that is not a distribution."""

    path: Path
    kind: Kind | None

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class Digest:
    """Size and the two digests PyPI's upload API takes."""

    size: int
    sha256: str
    blake2b_256: str


def dist_files(directory: Path) -> list[DistFile]:
    """Every visible file of `directory` but the manifest, sorted by name.

    Hidden files (uv's `.gitignore`) and subdirectories are not build output.
    """
    return [
        DistFile(path, dist_kind(path.name))
        for path in sorted(directory.iterdir())
        if path.is_file() and not path.name.startswith(".") and path.name != MANIFEST_NAME
    ]


def release_changes(root: Path, dirty: list[str], out_dir: Path | None) -> list[str]:
    """The uncommitted changes (`dirty`, relative to the work tree `root`) that change the
    release: the build output directory and earlier tagship build directories (recognised by
    their manifest) are build output, not changes."""
    root = root.resolve()
    directories = [m.parent for m in root.glob(f"*/{MANIFEST_NAME}")]
    if out_dir is not None:
        directories.append(out_dir.resolve())
    inside = [d.relative_to(root).as_posix() for d in directories if d.is_relative_to(root)]
    return [path for path in dirty if not is_build_output(path, inside)]


def hash_file(path: Path) -> Digest:
    """Size, SHA-256 and BLAKE2b-256 of a file, read once."""
    sha256 = hashlib.sha256()
    blake2b = hashlib.blake2b(digest_size=32)
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            sha256.update(chunk)
            blake2b.update(chunk)
            size += len(chunk)
    return Digest(size, sha256.hexdigest(), blake2b.hexdigest())


def manifest_entry(dist: DistFile) -> ManifestFile:
    if dist.kind is None:
        raise ValueError(f"{dist.name} is not a distribution file")
    digest = hash_file(dist.path)
    return ManifestFile(dist.name, dist.kind, digest.size, digest.sha256, digest.blake2b_256)


def load_manifest(directory: Path) -> Manifest:
    """The manifest of a build directory; GateError when there is none."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(
            f"{directory} is not a directory", hint="pass the build directory, e.g. --dir dist"
        )
    path = directory / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GateError(
            f"{directory} has no {MANIFEST_NAME}: it was not built by tagship build",
            hint="build it with: tagship build",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise IntegrityError(f"cannot read {path}: {exc}") from None
    return Manifest.from_json(text, str(path))


def write_manifest(directory: Path, manifest: Manifest) -> Path:
    path = directory / MANIFEST_NAME
    write_atomic(path, manifest.to_json())
    return path


def check_manifest(directory: Path, manifest: Manifest) -> None:
    """Raise IntegrityError unless the directory holds exactly the manifest's bytes."""
    listed = {f.name for f in manifest.files}
    extra = [d.name for d in dist_files(directory) if d.name not in listed]
    if extra:
        raise IntegrityError(
            f"{directory} holds {', '.join(extra)}, which the manifest does not list",
            hint="remove it, or rebuild everything: tagship build --clean",
        )
    for entry in manifest.files:
        path = directory / entry.name
        if not path.is_file():
            raise IntegrityError(
                f"{entry.name} is listed in the manifest but missing from {directory}",
                hint="rebuild: tagship build --clean",
            )
        digest = hash_file(path)
        if (digest.size, digest.sha256, digest.blake2b_256) != (
            entry.size,
            entry.sha256,
            entry.blake2b_256,
        ):
            raise IntegrityError(
                f"{entry.name} no longer matches the manifest (sha256 {digest.sha256[:12]}..., "
                f"recorded {entry.sha256[:12]}...): it changed after the build",
                hint="never edit built files; rebuild: tagship build --clean",
            )
