"""Pure core: release policy, version rules and errors. No I/O: adapters read what it parses."""
