"""Whether the release runs its rebuild cross-check: a second full build of the tag, which for a
compiled project is a second compile. It is left out where its verdict is known before it is
built (the backend cannot make the same bytes twice) or where the policy says so; the reason
is then the verdict the manifest, and so the publish record, carries. Pure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tagship.steps.build.reproduce import known_unreproducible

if TYPE_CHECKING:
    from tagship.core.config import Config
    from tagship.core.manifest import Manifest

NOT_RUN = "not run"


def why_not_rebuilt(config: Config, manifest: Manifest) -> str | None:
    """Why the cross-check of `manifest`'s files is not run; None when it runs (always when
    `require-identical-rebuild = true`: the release must then see the rebuild's bytes)."""
    if config.identical_rebuild_required or config.rebuild_check is True:
        return None
    if config.rebuild_check is False:
        return f"{NOT_RUN} (rebuild-check = false)"
    for entry in manifest.files:
        why = known_unreproducible(manifest.build_backend, entry.name)
        if why is not None:
            return (
                f"{NOT_RUN}: {why}, so no rebuild of {entry.name} has the same bytes "
                "(rebuild-check = true runs it anyway)"
            )
    return None
