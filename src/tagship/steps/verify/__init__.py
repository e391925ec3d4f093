"""Verify: built files against the project and the manifest (metadata, RECORD, names,
versions, contents), and the clean install of a published release.

May import: tagship.core, tagship.adapters, tagship.workspace, tagship.steps.build.artifacts.
"""
