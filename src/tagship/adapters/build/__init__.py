"""Build backends, as an outside world: the reused build environment, the build frontend (uv
or PyPA build), the checkout a build runs in, and the version a backend computes.

May import: tagship.core and the other adapters. Below the workspace, so that reading a
project's version never reaches up into the steps.
"""
