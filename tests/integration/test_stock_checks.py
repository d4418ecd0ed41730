"""Stock checks end to end: started, counted by scan or typing (blind or not), differences
valued, approved into count movements, with sales during the count accounted for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.db.models import Location, Product, StockCheck
from app.domain.access import Role, Viewer
from app.domain.errors import DomainError
from app.domain.money import Money
from app.domain.stock import MovementReason
from app.domain.stock_check import Uncounted
from app.services import catalogue, history, stock_checks
from app.services.paging import PageRequest
from app.services.stock_checks import UnknownCode

from .rawsql import raw
from .workshop import add_location, add_product, book, levels, movements

STAFF = Viewer(90, "pat", "Pat", Role.STAFF)
MUG_EAN = "5012345678900"


@pytest.fixture
def room(backroom):  # type: ignore[no-untyped-def]
    """Three bins; a mug (£2.50, 10 in A-01-1, 4 in A-02-1) and a tee (£6.00, 6 in A-01-1)."""
    bins = [add_location(backroom, f"A-0{n}-1", n * 10) for n in range(1, 4)]
    mug, tee = add_product(backroom, "MUG-0001"), add_product(backroom, "TEE-0001")
    with backroom.sessions() as s:
        s.get(Product, mug).cost_minor, s.get(Product, mug).barcode = 250, MUG_EAN
        s.get(Product, tee).cost_minor = 600
        s.commit()
    book(backroom, mug, bins[0], 10)
    book(backroom, mug, bins[1], 4)
    book(backroom, tee, bins[0], 6)
    return bins, mug, tee


def _line(sheet: stock_checks.CountSheet, sku: str, location: str) -> stock_checks.SheetLine:
    return next(ln for ln in sheet.lines if (ln.sku, ln.location) == (sku, location))


def test_a_check_of_bins_snapshots_each_product_there_and_a_blind_one_hides_it(backroom, room):
    bins, _mug, _tee = room
    check = backroom.act(stock_checks.start_check, "bins", [bins[0], bins[2]])
    sheet = backroom.read(stock_checks.count_sheet, check)
    assert sheet.number == "SC-00001" and sheet.status == "counting" and sheet.blind
    assert [(ln.sku, ln.location, ln.expected, ln.counted) for ln in sheet.lines] == [
        ("MUG-0001", "A-01-1", None, None), ("TEE-0001", "A-01-1", None, None)]
    assert [b.code for b in sheet.bins] == ["A-01-1", "A-03-1"]
    with pytest.raises(DomainError, match="blind count"):
        backroom.read(stock_checks.variance, check)
    seen = backroom.act(stock_checks.start_check, "bins", [bins[1]], blind=False)
    assert [ln.expected for ln in backroom.read(stock_checks.count_sheet, seen).lines] == [4]


def test_scans_add_one_each_by_barcode_or_sku_and_a_typed_count_replaces(backroom, room):
    bins, _mug, _tee = room
    check = backroom.act(stock_checks.start_check, "bins", [bins[0]])
    for code in (MUG_EAN, MUG_EAN, "mug-0001"):
        result = backroom.act(stock_checks.scan, check, code, bins[0])
    assert (result.sku, result.location, result.counted, result.new_line) == (
        "MUG-0001", "A-01-1", 3, False)
    assert backroom.act(stock_checks.scan, check, MUG_EAN, bins[0], -1).counted == 2
    tee_line = _line(backroom.read(stock_checks.count_sheet, check), "TEE-0001", "A-01-1")
    backroom.act(stock_checks.enter_count, check, tee_line.line_id, 5)
    sheet = backroom.read(stock_checks.count_sheet, check)
    assert [(ln.sku, ln.counted) for ln in sheet.lines] == [("MUG-0001", 2), ("TEE-0001", 5)]
    assert sheet.counted == 2 and all(ln.counted_at for ln in sheet.lines)
    with pytest.raises(DomainError, match="cannot be negative"):
        backroom.act(stock_checks.enter_count, check, tee_line.line_id, -1)


def test_an_unknown_barcode_is_named_and_can_be_linked_to_its_product(backroom, room):
    bins, _mug, tee = room
    check = backroom.act(stock_checks.start_check, "bins", [bins[0]])
    with pytest.raises(UnknownCode, match="No product has the barcode or SKU “4006381333931”"
                       ) as unknown:
        backroom.act(stock_checks.scan, check, "4006381333931", bins[0])
    assert unknown.value.code == "4006381333931" and "Link" in str(unknown.value)
    backroom.act(catalogue.link_barcode, tee, "4006381333931")  # what "Link…" does
    assert backroom.act(stock_checks.scan, check, "4006381333931", bins[0]).sku == "TEE-0001"


def test_a_product_found_where_it_was_not_expected_gets_its_own_line(backroom, room):
    bins, _mug, tee = room
    check = backroom.act(stock_checks.start_check, "bins", [bins[1]], blind=False)
    book(backroom, tee, bins[1], 2)  # put away during the count, before it was counted
    found = backroom.act(stock_checks.scan, check, "TEE-0001", bins[1], 3)
    assert found.new_line and found.counted == 3
    line = _line(backroom.read(stock_checks.count_sheet, check), "TEE-0001", "A-02-1")
    assert line.expected == 2  # nothing there at the start, 2 put away since
    with pytest.raises(DomainError, match="A-01-1 is not one of the bins in stock check"):
        backroom.act(stock_checks.scan, check, "TEE-0001", bins[0])


def test_a_sale_during_the_count_is_not_taken_for_a_loss(backroom, room):
    bins, mug, tee = room
    check = backroom.act(stock_checks.start_check, "bins", [bins[0]])
    book(backroom, mug, bins[0], -2, MovementReason.DISPATCH)  # sold while counting: 8 left
    mug_line = _line(backroom.read(stock_checks.count_sheet, check), "MUG-0001", "A-01-1")
    backroom.act(stock_checks.enter_count, check, mug_line.line_id, 7)  # one missing
    tee_line = _line(backroom.read(stock_checks.count_sheet, check), "TEE-0001", "A-01-1")
    backroom.act(stock_checks.enter_count, check, tee_line.line_id, 6)
    book(backroom, mug, bins[0], -1, MovementReason.DISPATCH)  # sold after it was counted
    backroom.act(stock_checks.finish_counting, check)

    found = backroom.read(stock_checks.variance, check)
    mug_row = next(r for r in found.rows if r.line.sku == "MUG-0001")
    assert (mug_row.line.expected, mug_row.line.counted, mug_row.line.variance) == (8, 7, -1)
    assert mug_row.line.value == Money(-250, "GBP")
    assert "10 at the start of the check, 2 out since" in mug_row.line.explanation
    assert (found.units_short, found.units_over, found.net_value) == (1, 0, (Money(-250, "GBP"),))

    backroom.act(stock_checks.approve_lines, check)
    # recorded = counted + what moved after the count: 7 - 1
    assert levels(backroom, mug)[bins[0]] == (6, 0)
    assert movements(backroom, mug)[-1] == (bins[0], -1, "count", "SC-00001")
    assert levels(backroom, tee)[bins[0]] == (6, 0)
    assert len(movements(backroom, tee)) == 1  # no difference, no movement
    assert backroom.read(stock_checks.check_ledger).ok


def test_approving_some_lines_books_only_those_and_the_last_closes_the_check(backroom, room):
    bins, mug, tee = room
    check = backroom.act(stock_checks.start_check, "bins", [bins[0], bins[1]])
    sheet = backroom.read(stock_checks.count_sheet, check)
    counts = {("MUG-0001", "A-01-1"): 9, ("MUG-0001", "A-02-1"): 6, ("TEE-0001", "A-01-1"): 4}
    for ln in sheet.lines:
        backroom.act(stock_checks.enter_count, check, ln.line_id, counts[(ln.sku, ln.location)])
    with pytest.raises(DomainError, match="finish counting before approving"):
        backroom.act(stock_checks.approve_lines, check)
    backroom.act(stock_checks.finish_counting, check)
    with pytest.raises(DomainError, match="waiting for approval"):
        backroom.act(stock_checks.scan, check, "MUG-0001", bins[0])
    found = backroom.read(stock_checks.variance, check)
    assert [(r.line.location, r.line.sku, r.line.variance, r.line.value.minor)
            for r in found.rows] == [("A-01-1", "MUG-0001", -1, -250),
                                     ("A-01-1", "TEE-0001", -2, -1200),
                                     ("A-02-1", "MUG-0001", 2, 500)]
    assert found.net_value == (Money(-950, "GBP"),)
    by_sku = {(r.line.sku, r.line.location): r.line_id for r in found.rows}

    backroom.act(stock_checks.approve_lines, check, [by_sku[("MUG-0001", "A-02-1")]])
    assert levels(backroom, mug) == {bins[0]: (10, 0), bins[1]: (6, 0)}
    backroom.act(stock_checks.leave_as_recorded, check, [by_sku[("TEE-0001", "A-01-1")]])
    assert backroom.read(stock_checks.count_sheet, check).status == "awaiting_approval"
    with pytest.raises(DomainError, match="Nothing to decide"):
        backroom.act(stock_checks.approve_lines, check, [by_sku[("MUG-0001", "A-02-1")]])

    backroom.act(stock_checks.approve_lines, check)
    assert levels(backroom, mug) == {bins[0]: (9, 0), bins[1]: (6, 0)}
    assert levels(backroom, tee) == {bins[0]: (6, 0)}  # left as recorded
    with backroom.sessions() as s:
        done = s.get(StockCheck, check)
        assert (done.status, done.approved_by) == ("approved", backroom.actor)
        counted = dict(s.execute(select(Location.code, Location.last_counted_at)).all())
    assert counted["A-01-1"] == counted["A-02-1"] == done.approved_at
    assert counted["A-03-1"] is None
    steps = [(h.from_status, h.to_status) for h in backroom.read(
        history.history, "stock_check", check)]
    assert steps == [(None, "counting"), ("counting", "awaiting_approval"),
                     ("awaiting_approval", "approved")]
    decided = backroom.read(stock_checks.variance, check)
    assert [r.approved for r in decided.rows] == [True, False, True]


def test_uncounted_lines_are_left_as_recorded_or_written_off_as_the_owner_chooses(backroom,
                                                                                 room):
    bins, _mug, tee = room
    check = backroom.act(stock_checks.start_check, "bins", [bins[0]])
    backroom.act(stock_checks.scan, check, "MUG-0001", bins[0], 10)
    backroom.act(stock_checks.finish_counting, check)
    left = backroom.read(stock_checks.variance, check)
    assert left.left_out == 1 and left.net_value == (Money(0, "GBP"),)
    zero = backroom.read(stock_checks.variance, check, Uncounted.COUNT_AS_ZERO)
    assert [r.line.variance for r in zero.rows] == [0, -6]
    backroom.act(stock_checks.approve_lines, check, None, Uncounted.COUNT_AS_ZERO)
    assert levels(backroom, tee) == {bins[0]: (0, 0)}
    after = backroom.read(stock_checks.variance, check)
    assert after.uncounted is Uncounted.COUNT_AS_ZERO and after.rows[1].line.variance == -6


def test_a_product_check_counts_it_in_every_bin_it_sits_in(backroom, room):
    bins, mug, _tee = room
    check = backroom.act(stock_checks.start_check, "products", [mug])
    sheet = backroom.read(stock_checks.count_sheet, check)
    assert [(ln.sku, ln.location) for ln in sheet.lines] == [("MUG-0001", "A-01-1"),
                                                           ("MUG-0001", "A-02-1")]
    assert backroom.act(stock_checks.scan, check, MUG_EAN, bins[2]).new_line  # found elsewhere
    with pytest.raises(DomainError, match="TEE-0001 is not in stock check"):
        backroom.act(stock_checks.scan, check, "TEE-0001", bins[0])


def test_a_product_in_a_bin_is_counted_by_one_unfinished_check_at_a_time(backroom, room):
    bins, mug, _tee = room
    first = backroom.act(stock_checks.start_check, "bins", [bins[0]])
    with pytest.raises(DomainError, match="A-01-1 is already being counted in stock check "
                                          "SC-00001"):
        backroom.act(stock_checks.start_check, "bins", [bins[0], bins[1]])
    with pytest.raises(DomainError, match="MUG-0001 in A-01-1 is already being counted"):
        backroom.act(stock_checks.start_check, "products", [mug])
    backroom.act(stock_checks.cancel_check, first)
    backroom.act(stock_checks.start_check, "products", [mug])
    shown = backroom.read(stock_checks.list_page, PageRequest(filters=(("status", "open"),)))
    assert [(r.number, r.covers, r.lines) for r in shown.rows] == [("SC-00002", "1 product", 2)]
    assert backroom.read(stock_checks.count, PageRequest()) == 2


def test_a_rolling_count_takes_never_counted_bins_then_the_oldest(backroom, room):
    bins, _mug, _tee = room
    more = [add_location(backroom, f"B-0{n}-1", 100 + n) for n in range(1, 4)]
    long_ago = datetime(2026, 1, 1, tzinfo=UTC)
    with backroom.sessions() as s:
        for n, lid in enumerate([*bins, more[0]]):
            s.get(Location, lid).last_counted_at = long_ago + timedelta(days=10 * (3 - n))
        s.get(Location, more[2]).active = False
        s.commit()
    assert backroom.read(stock_checks.rolling_bins) == 5
    backroom.act(stock_checks.save_rolling_bins, 3)
    due = backroom.read(stock_checks.bins_due)
    # B-02-1 never counted; then B-01-1 (Jan 1) and A-03-1 (Jan 11), shown in walk order
    assert [b.code for b in due] == ["A-03-1", "B-01-1", "B-02-1"]
    check = backroom.act(stock_checks.start_check, "rolling")
    assert backroom.read(stock_checks.count_sheet, check).kind == "rolling"
    assert [b.code for b in backroom.read(stock_checks.bins_due, 2)] == ["A-01-1", "A-02-1"]
    with pytest.raises(DomainError, match="1 to 1,000 bins"):
        backroom.act(stock_checks.save_rolling_bins, 0)


def test_staff_count_but_only_the_owner_approves(backroom, room):
    bins, mug, _tee = room
    backroom.sign_in(STAFF)
    check = backroom.act(stock_checks.start_check, "bins", [bins[1]])
    backroom.act(stock_checks.scan, check, MUG_EAN, bins[1])
    backroom.act(stock_checks.finish_counting, check)
    with pytest.raises(DomainError, match="Pat is signed in as staff and may not"):
        backroom.act(stock_checks.approve_lines, check)
    assert levels(backroom, mug)[bins[1]] == (4, 0)


def test_the_ledger_check_proves_levels_equal_movements_and_names_a_planted_mismatch(
        backroom, room):
    bins, mug, _tee = room
    report = backroom.read(stock_checks.check_ledger)
    assert report.ok and (report.levels, report.movements) == (3, 3)
    assert "all 3 stock levels equal the sums of their 3 movements" in str(report)
    con = raw(backroom)
    with con:
        con.execute("UPDATE stock_levels SET on_hand = 11 WHERE product_id = ? "
                    "AND location_id = ?", (mug, bins[0]))
    con.close()
    report = backroom.read(stock_checks.check_ledger)
    assert not report.ok
    assert [(p.sku, p.location, p.level, p.ledger) for p in report.problems] == [
        ("MUG-0001", "A-01-1", 11, 10)]
    assert "MUG-0001 in A-01-1: on hand 11, the movements add up to 10" in str(report)


def test_the_demo_ledger_holds(demo_backroom):
    report = demo_backroom.read(stock_checks.check_ledger)
    assert report.ok and report.movements > 1000
