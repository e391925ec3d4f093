"""Hotfixes and rollbacks, each recorded: a patch branch from a tag and its finish, revert,
yank, Cloud Run traffic back to a revision, a database mitigation migration, and the plan
that lists them in the policy's order.

May import: tagship.core, tagship.adapters, tagship.ci, tagship.workspace, tagship.steps.versions,
tagship.steps.notes.
"""
