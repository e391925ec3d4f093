"""An upload body that tells how many of its bytes were read (sent), for the progress display."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from tagship.core.progress import Transfer

if TYPE_CHECKING:
    from tagship.core.progress import Progress
    from tagship.steps.build.artifacts import CheckedUpload


class CountedUpload:
    """`body` as httpx reads it, reporting each chunk: the file is streamed, so what was read
    is what went out. A retried upload rewinds and counts from 0 again."""

    def __init__(self, body: CheckedUpload, name: str, total: int, progress: Progress) -> None:
        self._body = body
        self._name = name
        self._total = total
        self._progress = progress
        self._sent = 0

    def fileno(self) -> int:
        """httpx sizes the body from the file (Content-Length) without reading it."""
        return self._body.fileno()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = self._body.seek(offset, whence)
        self._sent = 0
        self._progress(Transfer(self._name, 0, self._total))
        return position

    def read(self, size: int = -1) -> bytes:
        chunk = self._body.read(size) if size >= 0 else self._body.read()
        if chunk:
            self._sent += len(chunk)
            self._progress(Transfer(self._name, self._sent, self._total))
        return chunk
