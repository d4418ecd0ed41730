"""The channel report fixtures as rows, and rows written back the ways channels and Excel
write them: shared by the unit and integration tests of the report readers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

FILES = Path(__file__).resolve().parent / "fixtures" / "channels" / "files"
TAB = "\t"


def rows_of(path: Path) -> list[list[str]]:
    text = io.StringIO(path.read_text("utf-8"), newline="")
    return list(csv.reader(text, delimiter=TAB if path.suffix == ".txt" else ","))


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def tsv_text(rows: list[list[str]]) -> str:
    """As Amazon writes its flat files: tabs, nothing quoted."""
    return "".join(TAB.join(row) + "\n" for row in rows)
