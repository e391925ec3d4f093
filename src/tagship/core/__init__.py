"""Pure core: release policy, version rules and errors. No I/O beyond reading files."""
