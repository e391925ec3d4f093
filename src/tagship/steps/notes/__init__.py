"""Release notes from the labels of merged pull requests, the one draft release, publishing
the release on the CI host, and the docs links that follow a release.

May import: tagship.core, tagship.adapters, tagship.ci, tagship.workspace, tagship.steps.ledger.
"""
