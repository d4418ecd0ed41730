"""What a user action changed, so each tab refreshes only what it shows."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Changes:
    products: bool = False
    stock: bool = False
    orders: bool = False
    suppliers: bool = False
    tasks: bool = False
    finance: bool = False
    everything: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name)
                          for f in fields(self)})

    def touches(self, *names: str) -> bool:
        return self.everything or any(getattr(self, n) for n in names)


EVERYTHING = Changes(everything=True)
