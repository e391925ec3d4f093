"""The version where it is written: bump every file that carries it, and the release's
section of the changelog.

May import: tagship.core, tagship.adapters, tagship.workspace.
"""
