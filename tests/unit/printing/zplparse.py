"""Just enough of a ZPL reader to compare labels by structure rather than by text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_COMMAND = re.compile(r"([\^~])([A-Z@][A-Z0-9@])([^\^~]*)", re.S)


def commands(zpl: str) -> list[tuple[str, str]]:
    """('FO', '16,12'), ('FD', 'text'), ... in order; whitespace between commands dropped."""
    return [(m[2], m[3].rstrip("\n") if m[2] != "FD" else m[3])
            for m in _COMMAND.finditer(zpl)]


def unhex(data: str, indicator: str = "_") -> bytes:
    """What the printer makes of ^FH field data: _XX becomes the byte XX."""
    out = bytearray()
    raw = data.encode("utf-8")
    i = 0
    while i < len(raw):
        if raw[i] == ord(indicator):
            out.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return bytes(out)


@dataclass
class Field:
    """One ^FO ... ^FS field: its commands by name (the last of each) and its data."""

    origin: tuple[int, int]
    commands: dict[str, str] = field(default_factory=dict)
    hex: bool = False
    data: str = ""

    @property
    def text(self) -> str:
        """Field data as the printer would read it: hex escapes resolved, as UTF-8."""
        raw = unhex(self.data) if self.hex else self.data.encode("utf-8")
        return raw.decode("utf-8")

    @property
    def lines(self) -> list[str]:
        """The text of a ^FB block, line by line: '\\&' breaks a line, '\\\\' is '\\'."""
        lines, line, text, i = [], [], self.text, 0
        while i < len(text):
            if text[i] == "\\" and text[i + 1:i + 2] in ("&", "\\"):
                if text[i + 1] == "&":
                    lines.append("".join(line))
                    line = []
                else:
                    line.append("\\")
                i += 2
            else:
                line.append(text[i])
                i += 1
        return [*lines, "".join(line)]


@dataclass
class Label:
    settings: dict[str, str]
    fields: list[Field]

    def barcode(self) -> tuple[str, Field]:
        found = [(name, f) for f in self.fields for name in f.commands
                 if name in ("BC", "BE", "BU", "B8", "BQ")]
        assert len(found) == 1, found
        return found[0]


def labels(zpl: str) -> list[Label]:
    out: list[Label] = []
    current: Label | None = None
    fld: Field | None = None
    for name, arg in commands(zpl):
        if name == "XA":
            current = Label({}, [])
        elif name == "XZ":
            assert current is not None
            out.append(current)
            current = None
        elif current is None:
            raise AssertionError(f"^{name} outside ^XA ... ^XZ")
        elif name == "FO":
            x, y = arg.split(",")[:2]
            fld = Field((int(x), int(y)))
        elif fld is not None and name == "FH":
            fld.hex = True
        elif fld is not None and name == "FD":
            fld.data = arg
        elif fld is not None and name == "FS":
            current.fields.append(fld)
            fld = None
        elif fld is not None:
            fld.commands[name] = arg
        else:
            current.settings[name] = arg
    assert current is None and fld is None, "unterminated label or field"
    return out


_INVOCATION = {">0": ">", "><": "^", ">=": "~"}


def code128_text(data: str) -> str:
    """The text a ^BC (mode N) field encodes, following its start and switch codes."""
    assert data[:2] in (">:", ">;"), data
    in_c, i, out = data[:2] == ">;", 2, []
    while i < len(data):
        pair = data[i:i + 2]
        if pair == ">5":
            in_c = True
        elif pair == ">6":
            in_c = False
        elif in_c:
            assert pair.isdigit(), data
            out.append(pair)
        elif pair in _INVOCATION:
            out.append(_INVOCATION[pair])
        else:
            assert data[i] != ">", data
            out.append(data[i])
            i += 1
            continue
        i += 2
    return "".join(out)
