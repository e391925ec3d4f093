"""The image tagship's GitLab jobs run in: the official Python image, pinned by digest.

A tag (`python:3.13-slim`) moves with every rebuild of the image; a digest does not, so a
release job runs exactly the image the maintainer reviewed. Digests are known here only
for the images listed; another Python gets its tag and a note saying how to pin it.
"""

from __future__ import annotations

# python:<version>-slim -> its digest (docker.io/library/python, linux/amd64 index),
# as recorded in public build logs of September 2026; bump tag and digest together
DIGESTS = {
    "3.13": "sha256:7c61056e61ac89e852de05f3dc6fa51a6dd2181797bceed46aa725dd7cb2cd3b",
}


def image(python: str) -> tuple[str, str | None]:
    """The image reference for `python`, and a note when it is not pinned by digest."""
    tag = f"python:{python}-slim"
    digest = DIGESTS.get(python)
    if digest is not None:
        return f"{tag}@{digest}", None
    pinned = ", ".join(sorted(DIGESTS))
    return tag, (
        f"the GitLab jobs run {tag}, not pinned by digest (tagship knows digests for Python "
        f'{pinned}): set python-version = "{max(DIGESTS)}" in [tool.tagship] for a pinned image'
    )
