"""Workshop rules with no I/O: no SQL, no Qt, no files."""
