"""GitLab CI/CD, the second host behind the CI-host seam (see tagship/ci/__init__.py)."""
