"""Adapters: the only places that talk to processes, git, HTTP and package indexes, or read
the project's files and built archives."""
