"""The GitHub Actions workflows `init` writes, as data: the required checks, the release-label
check, the draft, and one publish workflow per index (with a build matrix for compiled
projects), the hash-locked install of tagship, and the [tool.tagship] block beside them.

May import: tagship.core, tagship.adapters, and tagship.ci.github's rules (policy,
workflow_model).
"""
