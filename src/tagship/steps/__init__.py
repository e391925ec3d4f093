"""The steps of a release, and read-only reports; each returns a typed result.

One sub-package per domain (build, verify, publish, ledger, versions, notes, gates, rollback);
the few modules at this level are reports that read across them (status, the per-package
table, which packages a change touched, doctor).

May import: tagship.core, tagship.adapters, tagship.ci, tagship.workspace, tagship.repository.
Never tagship.flows or tagship.cli.
"""
