"""The ledger as steps: recording flow actions (or leaving them in an outbox for a later job),
verifying the chain and its anchors, and the audit of an index against the records.

May import: tagship.core, tagship.adapters, tagship.ci, tagship.workspace, and
tagship.steps.build.artifacts (what is build output, for the state of the work tree).
"""
