"""tagship: repeatable, auditable, CI-driven releases of Python packages."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # the version lives in pyproject.toml alone; the installed metadata answers, and only when
    # asked, so `tagship --help` does not pay for the metadata lookup
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415

        return version("tagship")
    raise AttributeError(name)
