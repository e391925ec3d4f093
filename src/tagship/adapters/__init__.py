"""Adapters: the only places that talk to processes, git, HTTP and package indexes."""
