"""The picture of the releases: the ledger's records (and the drift `watch` found) as a
timeline of versions across the test index, the production index and the GitHub Release,
rendered as one self-contained HTML page and as Markdown for a CI job's summary.

May import: tagship.core, tagship.adapters.
"""
