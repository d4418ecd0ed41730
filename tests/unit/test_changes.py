"""Changes: what an action touched, merged across steps, asked by each tab."""

from __future__ import annotations

from dataclasses import fields

import pytest

from app.domain.changes import EVERYTHING, Changes

FLAGS = [f.name for f in fields(Changes) if f.name != "everything"]


def test_or_keeps_every_flag_set_on_either_side():
    merged = Changes(orders=True) | Changes(stock=True, finance=True)
    assert merged == Changes(orders=True, stock=True, finance=True)


def test_or_with_nothing_changes_nothing():
    some = Changes(products=True, tasks=True)
    assert some | Changes() == some
    assert Changes() | some == some
    assert Changes() | Changes() == Changes()


@pytest.mark.parametrize("flag", FLAGS)
def test_a_change_touches_what_it_flags_and_nothing_else(flag):
    change = Changes(**{flag: True})
    assert change.touches(flag)
    others = [f for f in FLAGS if f != flag]
    assert not change.touches(*others)
    assert change.touches(*others, flag)


def test_no_change_touches_nothing():
    assert not Changes().touches(*FLAGS)
    assert not Changes().touches()


def test_everything_touches_every_tab():
    assert all(EVERYTHING.touches(f) for f in FLAGS)
    assert (Changes(orders=True) | EVERYTHING).touches("suppliers")


def test_changes_are_immutable():
    with pytest.raises(AttributeError):
        Changes().orders = True  # type: ignore[misc]
