"""The few colours and alignments every window uses: good, wrong, to watch, by the way;
numbers to the right, words to the left."""

from PySide6.QtCore import Qt

GOOD = "color: #1e7a34;"
BAD = "color: #b3261e;"
AMBER = "color: #c77700;"
MUTED = "color: #6b6b6b;"

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter  # numbers
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
