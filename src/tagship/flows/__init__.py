"""Flows chain the steps of a release: dry run, tag, release, hotfix, rollback, demo."""
