"""Publish the manifest's exact files: upload resumably, wait for the index, promote the dry
run's bytes on the tag, and the publish/wait/verify-install/record chain of a release.

May import: tagship.core, tagship.adapters, tagship.ci, tagship.workspace, and the build,
verify and ledger steps.
"""
