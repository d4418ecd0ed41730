"""PyInstaller's entry script: start Backroom and exit with its code."""

import sys

from app.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
