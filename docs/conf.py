"""Sphinx configuration of tagship's documentation (`make docs`: HTML, warnings are errors)."""
# ruff: noqa: INP001 - read by Sphinx, not a package

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))  # the command reference's extension

project = "tagship"
author = "tagship developers"
extensions = ["myst_parser", "sphinxcontrib.mermaid", "tagship_commands"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
# GitHub-style anchors, so `page.md#a-heading` links work on GitHub and here alike
myst_heading_anchors = 4
# ```mermaid fences are diagrams, as GitHub renders them
myst_fence_as_directive = ["mermaid"]
html_theme = "furo"
html_title = "tagship"
# quotes stay as typed: option help and examples are copied into shells
smartquotes = False
