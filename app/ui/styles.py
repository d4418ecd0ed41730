"""The few colours every window uses for what is good, wrong, to watch or by the way."""

GOOD = "color: #1e7a34;"
BAD = "color: #b3261e;"
AMBER = "color: #c77700;"
MUTED = "color: #6b6b6b;"
