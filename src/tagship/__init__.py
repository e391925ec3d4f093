"""tagship: repeatable, auditable, CI-driven releases of Python packages."""

__version__ = "0.1.0"
