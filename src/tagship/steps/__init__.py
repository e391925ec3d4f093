"""The steps of a release (and read-only reports); each returns a typed result."""
