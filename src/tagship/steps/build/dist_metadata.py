"""Reading the core metadata a built file carries (a wheel's METADATA, an sdist's PKG-INFO)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.adapters.archives import UnreadableArchiveError, open_sdist, open_wheel
from tagship.core.errors import IntegrityError

if TYPE_CHECKING:
    from pathlib import Path

    from tagship.core.build_output import Kind


def _metadata_bytes(path: Path, kind: Kind) -> bytes | None:
    if kind == "wheel":
        with open_wheel(path) as wheel:
            name = next((n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")), None)
            return None if name is None else wheel.read(name)
    with open_sdist(path) as sdist:
        # PKG-INFO at the top of the sdist's one directory, not a vendored one deeper down
        member = next(
            (
                m
                for m in sdist.getmembers()
                if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")
            ),
            None,
        )
        handle = sdist.extractfile(member) if member is not None else None
        return None if handle is None else handle.read()


def read_core_metadata(path: Path, kind: Kind) -> bytes:
    """The raw metadata of a distribution file; IntegrityError when it has none."""
    try:
        raw = _metadata_bytes(path, kind)
    except UnreadableArchiveError:
        raw = None
    if raw is None:
        raise IntegrityError(
            f"{path.name} carries no readable core metadata",
            hint="rebuild it: tagship build --clean",
        )
    return raw
