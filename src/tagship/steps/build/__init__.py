"""Build once: the sdist and wheels of a commit, repaired, checked for reproducibility, hashed
into the manifest; the rebuild cross-check; merging the manifests of several build jobs.

May import: tagship.core, tagship.adapters, tagship.workspace, tagship.steps.verify.
"""
