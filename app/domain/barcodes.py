"""Barcode values: GTIN check digits (EAN-13, UPC-A, EAN-8), what Code 128 and QR can hold.

A value is checked before a label is rendered, so a mistyped EAN is refused in words
instead of printing bars that a till cannot read.
"""

from __future__ import annotations

from enum import StrEnum

from app.domain.errors import DomainError


class Symbology(StrEnum):
    CODE128 = "code128"
    EAN13 = "ean13"
    EAN8 = "ean8"
    UPCA = "upca"
    QR = "qr"


class BarcodeError(DomainError):
    """A value that the symbology cannot encode; the message says why and where."""

    def __init__(self, symbology: Symbology, value: str, message: str):
        self.symbology, self.value = symbology, value
        super().__init__(message)


NAMES = {Symbology.CODE128: "Code 128", Symbology.EAN13: "EAN-13", Symbology.EAN8: "EAN-8",
         Symbology.UPCA: "UPC-A", Symbology.QR: "QR code"}
GTIN_LENGTH = {Symbology.EAN13: 13, Symbology.UPCA: 12, Symbology.EAN8: 8}
CODE128_MAX = 80  # longer values make bars too narrow for any label we print
# Bytes a version-40 QR code holds in byte mode, by error correction level.
QR_CAPACITY = {"L": 2953, "M": 2331, "Q": 1663, "H": 1273}


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for the digits before it (weights 3,1,3... from the right)."""
    if not body.isascii() or not body.isdigit():
        raise ValueError(f"a GTIN body is digits only, not {body!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def with_check_digit(body: str, symbology: Symbology = Symbology.EAN13) -> str:
    """'400638133393' -> '4006381333931': a GTIN made whole from all digits but the last."""
    length = GTIN_LENGTH[symbology]
    if len(body) != length - 1:
        raise ValueError(f"{NAMES[symbology]} takes {length - 1} digits before its check digit,"
                         f" not {len(body)}")
    return body + str(gtin_check_digit(body))


def _article(name: str) -> str:
    return "an" if name[0] in "AEIO" else "a"  # an EAN-13, a UPC-A


def _position(value: str, index: int) -> str:
    return f"'{value[index]}' at position {index + 1}"


def validate_gtin(value: str, symbology: Symbology) -> str:
    """The value if it is a whole, correct EAN-13 / UPC-A / EAN-8; BarcodeError if not."""
    name, length = NAMES[symbology], GTIN_LENGTH[symbology]
    bad = next((i for i, c in enumerate(value) if not ("0" <= c <= "9")), None)
    if bad is not None:
        raise BarcodeError(symbology, value, f"{name} {value!r} has {_position(value, bad)}: "
                                             f"{_article(name)} {name} is digits only.")
    if len(value) != length:
        raise BarcodeError(symbology, value,
                           f"{name} {value!r} has {len(value)} digits; it needs {length} "
                           f"({length - 1} and a check digit).")
    expected = gtin_check_digit(value[:-1])
    if int(value[-1]) != expected:
        raise BarcodeError(symbology, value,
                           f"{name} {value} has check digit {value[-1]}, expected {expected}")
    return value


def validate_code128(value: str) -> str:
    """The value if Code 128 (sets B and C) can hold it: printable ASCII, 1 to 80 characters."""
    if not value:
        raise BarcodeError(Symbology.CODE128, value, "A Code 128 barcode needs at least one "
                                                     "character; the value is empty.")
    bad = next((i for i, c in enumerate(value) if not (" " <= c <= "~")), None)
    if bad is not None:
        shown = repr(value[bad]) if value[bad].isprintable() else f"U+{ord(value[bad]):04X}"
        raise BarcodeError(Symbology.CODE128, value,
                           f"Code 128 cannot hold {shown} (character {bad + 1} of {value!r}): "
                           "use ASCII letters, digits, spaces and punctuation.")
    if len(value) > CODE128_MAX:
        raise BarcodeError(Symbology.CODE128, value,
                           f"{value[:20]!r}... is {len(value)} characters long; a Code 128 "
                           f"barcode on a label holds at most {CODE128_MAX}.")
    return value


def validate_qr(value: str, error_correction: str = "M") -> str:
    """The value if a QR code at this error correction level can hold it."""
    if not value:
        raise BarcodeError(Symbology.QR, value, "A QR code needs some text; the value is empty.")
    size, most = len(value.encode("utf-8")), QR_CAPACITY[error_correction]
    if size > most:
        raise BarcodeError(Symbology.QR, value,
                           f"The text is {size} bytes; a QR code with error correction "
                           f"{error_correction} holds at most {most}.")
    return value


def validate(symbology: Symbology | str, value: str) -> str:
    """The value if the symbology can encode it, else BarcodeError saying why."""
    symbology = Symbology(symbology)
    if symbology in GTIN_LENGTH:
        return validate_gtin(value, symbology)
    if symbology is Symbology.QR:
        return validate_qr(value)
    return validate_code128(value)


def detect_kind(value: str) -> Symbology:
    """The retail symbology a product's barcode value is, else Code 128.

    13 or 12 digits are taken to be an EAN-13 or UPC-A and must carry the right check digit
    (a typo there is an error, not a Code 128); 8 digits are an EAN-8 only when the check
    digit agrees. Anything else must fit Code 128.
    """
    if value.isascii() and value.isdigit():
        for kind in (Symbology.EAN13, Symbology.UPCA):
            if len(value) == GTIN_LENGTH[kind]:
                validate_gtin(value, kind)
                return kind
        if len(value) == 8 and gtin_check_digit(value[:-1]) == int(value[-1]):
            return Symbology.EAN8
    validate_code128(value)
    return Symbology.CODE128


def same_code(value: str) -> tuple[str, ...]:
    """The ways one scanned code may be stored: a UPC-A is also the EAN-13 with a leading 0
    (as a scanner set to EAN-13 reads it), and a GTIN-14 with leading zeros is the same
    article as the shorter code inside it."""
    code = value.strip()
    if not (code.isascii() and code.isdigit()) or len(code) not in (12, 13, 14):
        return (code,)
    core = code.lstrip("0")
    return tuple(dict.fromkeys([code] + [core.rjust(n, "0") for n in (12, 13, 14)
                                         if len(core) <= n]))
