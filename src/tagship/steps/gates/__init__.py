"""Gates: each answers whether a step may proceed, with the reason (required checks green,
tag and version, a recorded dry run, internal dependencies released, a tag releasable).

May import: tagship.core, tagship.adapters, tagship.ci, tagship.workspace, tagship.steps.build,
tagship.steps.ledger.
"""
