"""Use cases (one function per user action) and the read-side queries the tabs make."""
