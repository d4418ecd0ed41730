"""Supplier choice: fair in turn, by fewest open tasks or by weight; nobody means a reason."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.assignment import (
    REASON_MAX,
    Candidate,
    Choice,
    Strategy,
    choose_supplier,
    is_eligible,
    rotation_order,
    strategy_from_setting,
)
from app.domain.errors import DomainError

RR, LEAST, WEIGHTED = Strategy.ROUND_ROBIN, Strategy.LEAST_OPEN, Strategy.WEIGHTED
ANY = pytest.mark.parametrize("strategy", list(Strategy))


def sup(supplier_id: int, name: str = "", **kw) -> Candidate:
    return Candidate(supplier_id, name or f"Maker {supplier_id}", **kw)


def pick(strategy, candidates, last=None, exclude=frozenset(), category="Mugs") -> Choice:
    return choose_supplier(strategy, candidates, last_supplier_id=last, exclude=exclude,
                           category_name=category)


# --- settings and candidates ---------------------------------------------------------------


def test_strategies_are_stored_by_their_setting_names():
    assert [s.value for s in Strategy] == ["round_robin", "least_open", "weighted"]


@pytest.mark.parametrize("stored", [None, "", "  "])
def test_a_blank_setting_means_round_robin(stored):
    assert strategy_from_setting(stored) is Strategy.ROUND_ROBIN


def test_a_stored_setting_reads_back_as_its_strategy():
    assert strategy_from_setting("weighted") is Strategy.WEIGHTED
    assert strategy_from_setting(" least_open ") is Strategy.LEAST_OPEN


def test_an_unknown_setting_is_refused_naming_the_choices():
    with pytest.raises(DomainError, match=r"'random' is not a way.*round_robin, least_open"):
        strategy_from_setting("random")


@pytest.mark.parametrize("weight", [0, -2])
def test_a_weight_below_one_is_refused_naming_the_supplier(weight):
    with pytest.raises(DomainError, match=rf"Kiln & Co\.'s weight .* 1 or more; it is {weight}"):
        Candidate(1, "Kiln & Co.", weight=weight)


def test_a_negative_capacity_is_refused_in_words():
    with pytest.raises(DomainError, match="Leave it empty for no limit"):
        Candidate(1, "Kiln & Co.", capacity=-1)


def test_negative_counts_are_a_programming_error():
    with pytest.raises(ValueError):
        Candidate(1, "Kiln & Co.", open_tasks=-1)
    with pytest.raises(ValueError):
        Candidate(1, "Kiln & Co.", assigned_total=-1)


@ANY
def test_a_supplier_listed_twice_is_a_programming_error(strategy):
    with pytest.raises(ValueError, match=r"\[2\]"):
        pick(strategy, [sup(2), sup(1), sup(2)])


def test_the_strategy_may_be_given_as_its_setting_text():
    assert pick("least_open", [sup(1, open_tasks=3), sup(2)]).supplier_id == 2


# --- round robin ---------------------------------------------------------------------------


def test_round_robin_starts_with_the_lowest_id_when_nobody_had_a_turn():
    assert pick(RR, [sup(7), sup(3), sup(5)]) == Choice(3, "", 3)


def test_round_robin_gives_the_next_id_after_the_last_turn():
    assert pick(RR, [sup(3), sup(5), sup(7)], last=3).supplier_id == 5
    assert pick(RR, [sup(3), sup(5), sup(7)], last=5).supplier_id == 7


def test_round_robin_wraps_around_after_the_highest_id():
    assert pick(RR, [sup(3), sup(5), sup(7)], last=7).supplier_id == 3


def test_round_robin_continues_from_the_next_higher_id_when_the_last_one_is_gone():
    assert pick(RR, [sup(3), sup(5), sup(7)], last=4).supplier_id == 5
    assert pick(RR, [sup(3), sup(5), sup(7)], last=99).supplier_id == 3
    assert pick(RR, [sup(3), sup(5), sup(7)], last=0).supplier_id == 3


def test_round_robin_order_does_not_depend_on_how_candidates_are_listed():
    forwards = [sup(1), sup(2), sup(3), sup(4)]
    for last in (None, 1, 2, 3, 4):
        assert pick(RR, forwards, last) == pick(RR, forwards[::-1], last)


def test_round_robin_skips_inactive_supplier():
    assert pick(RR, [sup(1), sup(2, active=False), sup(3)], last=1).supplier_id == 3


def test_round_robin_skips_supplier_at_capacity():
    suppliers = [sup(1), sup(2, open_tasks=5, capacity=5), sup(3)]
    assert pick(RR, suppliers, last=1).supplier_id == 3


def test_a_supplier_below_capacity_or_without_a_limit_can_take_more():
    assert pick(RR, [sup(1, open_tasks=4, capacity=5)]).supplier_id == 1
    assert pick(RR, [sup(1, open_tasks=10_000, capacity=None)]).supplier_id == 1


def test_a_supplier_over_its_lowered_capacity_is_skipped():
    assert pick(RR, [sup(1, open_tasks=9, capacity=5), sup(2)], last=2).supplier_id == 2


def test_round_robin_skips_a_supplier_that_turned_the_task_down():
    assert pick(RR, [sup(1), sup(2), sup(3)], last=1, exclude=frozenset({2})).supplier_id == 3


def test_skipping_wraps_around_to_the_start():
    suppliers = [sup(1), sup(2), sup(3, active=False)]
    assert pick(RR, suppliers, last=2).supplier_id == 1


def test_the_last_supplier_gets_the_task_again_when_it_is_the_only_one_left():
    suppliers = [sup(1, active=False), sup(2), sup(3, active=False)]
    assert pick(RR, suppliers, last=2) == Choice(2, "", 2)


@ANY
def test_the_choice_is_stored_as_the_categorys_last_turn(strategy):
    choice = pick(strategy, [sup(1), sup(2), sup(3)], last=1)
    assert choice.assigned
    assert choice.reason == ""
    assert choice.next_rotation == choice.supplier_id


def test_rotation_order_starts_after_the_last_turn():
    ids = [c.supplier_id for c in rotation_order([sup(5), sup(1), sup(9), sup(3)], 3)]
    assert ids == [5, 9, 1, 3]


# --- least open tasks ----------------------------------------------------------------------


def test_least_open_gives_the_task_to_the_supplier_with_fewest_open_tasks():
    suppliers = [sup(1, open_tasks=4), sup(2, open_tasks=1), sup(3, open_tasks=2)]
    assert pick(LEAST, suppliers, last=1).supplier_id == 2


def test_least_open_breaks_ties_in_round_robin_order_after_the_last_turn():
    suppliers = [sup(1, open_tasks=2), sup(2, open_tasks=5), sup(3, open_tasks=2),
                 sup(4, open_tasks=2)]
    assert pick(LEAST, suppliers, last=None).supplier_id == 1
    assert pick(LEAST, suppliers, last=1).supplier_id == 3
    assert pick(LEAST, suppliers, last=3).supplier_id == 4
    assert pick(LEAST, suppliers, last=4).supplier_id == 1


def test_least_open_ignores_an_idle_supplier_that_cannot_take_work():
    suppliers = [sup(1, open_tasks=0, active=False), sup(2, open_tasks=0, capacity=0),
                 sup(3, open_tasks=0), sup(4, open_tasks=6)]
    assert pick(LEAST, suppliers, exclude=frozenset({3})).supplier_id == 4


# --- weighted ------------------------------------------------------------------------------


def test_weighted_gives_the_task_to_the_supplier_furthest_behind_its_share():
    # (assigned + 1) / weight: 5/1, 6/3 = 2, 3/2 = 1.5 -> supplier 3
    suppliers = [sup(1, weight=1, assigned_total=4), sup(2, weight=3, assigned_total=5),
                 sup(3, weight=2, assigned_total=2)]
    assert pick(WEIGHTED, suppliers).supplier_id == 3


def test_weighted_compares_shares_exactly_and_breaks_ties_in_rotation_order():
    # 3/3 == 1/1: a tie that floats would get right only by luck
    suppliers = [sup(1, weight=3, assigned_total=2), sup(2, weight=1, assigned_total=0)]
    assert pick(WEIGHTED, suppliers, last=None).supplier_id == 1
    assert pick(WEIGHTED, suppliers, last=1).supplier_id == 2
    assert pick(WEIGHTED, suppliers, last=2).supplier_id == 1


def test_weighted_is_deterministic():
    suppliers = [sup(i, weight=i, assigned_total=3 * i) for i in range(1, 6)]
    assert len({pick(WEIGHTED, suppliers, last=2) for _ in range(50)}) == 1


def test_weighted_skips_a_paused_supplier_however_far_behind():
    suppliers = [sup(1, weight=9, active=False), sup(2, weight=1, assigned_total=50)]
    assert pick(WEIGHTED, suppliers).supplier_id == 2


# --- nobody can take it --------------------------------------------------------------------


@ANY
def test_no_supplier_for_the_category_says_how_to_add_one(strategy):
    choice = pick(strategy, [], last=4, category="Mugs")
    assert choice == Choice(
        None,
        "No supplier serves Mugs. Add one in the Suppliers tab, "
        "or give an existing supplier this category.",
        4,
    )
    assert not choice.assigned


@ANY
def test_nobody_eligible_leaves_the_rotation_where_it_was(strategy):
    choice = pick(strategy, [sup(1, active=False), sup(2, active=False)], last=2)
    assert choice.supplier_id is None
    assert choice.next_rotation == 2


def test_both_suppliers_paused_is_said_in_one_sentence():
    choice = pick(RR, [sup(1, "Kiln & Co.", active=False), sup(2, "Mugshot", active=False)])
    assert choice.reason == "Both suppliers of Mugs are paused."


def test_the_only_supplier_is_named():
    assert pick(RR, [sup(1, "Mugshot", active=False)]).reason == (
        "Mugshot, the only supplier of Mugs, is paused.")
    assert pick(RR, [sup(1, "Mugshot", open_tasks=40, capacity=40)]).reason == (
        "Mugshot, the only supplier of Mugs, is at capacity (40 open tasks).")
    assert pick(RR, [sup(1, "Mugshot")], exclude=frozenset({1})).reason == (
        "Mugshot, the only supplier of Mugs, turned this task down.")


def test_each_suppliers_reason_is_given_when_they_differ():
    suppliers = [sup(1, "Kiln & Co.", open_tasks=40, capacity=40),
                 sup(2, "Mugshot", active=False)]
    assert pick(LEAST, suppliers, category="Mugs").reason == (
        "No supplier of Mugs can take this task: "
        "Kiln & Co. is at capacity (40 open tasks) and Mugshot is paused.")


def test_a_refusal_paused_and_full_suppliers_are_all_named():
    suppliers = [sup(1, "Kiln & Co.", open_tasks=40, capacity=40),
                 sup(2, "Mugshot", active=False), sup(3, "Clayworks", active=False),
                 sup(4, "Potters", open_tasks=1, capacity=1), sup(5, "Glaze Ltd")]
    reason = pick(WEIGHTED, suppliers, exclude=frozenset({5}), category="Cups").reason
    assert reason == ("No supplier of Cups can take this task: "
                      "Kiln & Co. (40 open tasks) and Potters (1 open task) are at capacity, "
                      "Mugshot and Clayworks are paused and Glaze Ltd turned this task down.")


def test_turning_the_task_down_is_the_reason_even_for_a_paused_supplier():
    reason = pick(RR, [sup(1, "Mugshot", active=False)], exclude=frozenset({1})).reason
    assert reason == "Mugshot, the only supplier of Mugs, turned this task down."


def test_all_suppliers_at_capacity_lists_their_loads():
    suppliers = [sup(1, "Kiln & Co.", open_tasks=40, capacity=40),
                 sup(2, "Mugshot", open_tasks=12, capacity=10),
                 sup(3, "Clayworks", capacity=0)]
    assert pick(RR, suppliers, category="T-shirts").reason == (
        "All 3 suppliers of T-shirts are at capacity: Kiln & Co. (40 open tasks), "
        "Mugshot (12 open tasks, limit 10) and Clayworks (capacity 0).")


def test_both_suppliers_turning_it_down_is_said_in_one_sentence():
    suppliers = [sup(1, "Kiln & Co."), sup(2, "Mugshot")]
    assert pick(RR, suppliers, exclude=frozenset({1, 2})).reason == (
        "Both suppliers of Mugs turned this task down.")


def test_a_long_list_of_suppliers_is_counted_rather_than_named():
    suppliers = [sup(i, f"Maker {i}", active=False) for i in range(1, 8)]
    suppliers.append(sup(8, "Kiln & Co.", open_tasks=3, capacity=3))
    reason = pick(RR, suppliers).reason
    assert reason == ("No supplier of Mugs can take this task: Kiln & Co. is at capacity "
                      "(3 open tasks) and Maker 1, Maker 2, Maker 3 and 4 others are paused.")


def test_a_reason_too_long_to_store_only_counts_the_suppliers():
    long = "Very Long Workshop Name " * 6
    suppliers = [sup(1, long + "A", active=False), sup(2, long + "B", capacity=0),
                 sup(3, long + "C", active=False), sup(4, long + "D")]
    reason = pick(RR, suppliers, exclude=frozenset({4}), category="Mugs").reason
    assert reason == ("No supplier of Mugs can take this task: 1 is at capacity, 2 are paused "
                      "and 1 turned it down.")
    assert len(reason) <= REASON_MAX


@ANY
def test_the_reason_names_the_category_and_every_supplier(strategy):
    suppliers = [sup(1, "Kiln & Co.", active=False), sup(2, "Mugshot", capacity=0)]
    reason = pick(strategy, suppliers, category="Shoes").reason
    assert "Shoes" in reason and "Kiln & Co." in reason and "Mugshot" in reason


# --- fairness over many tasks --------------------------------------------------------------

N = 10_000


def simulate(strategy, suppliers: list[Candidate], n: int = N, before=None) -> Counter:
    """Hand out n tasks as the service would: store each turn, count what each was given."""
    counts: Counter = Counter()
    last = None
    by_id = {c.supplier_id: c for c in suppliers}
    for step in range(n):
        if before:
            before(step, by_id)
        choice = pick(strategy, list(by_id.values()), last)
        assert choice.supplier_id is not None
        counts[choice.supplier_id] += 1
        chosen = by_id[choice.supplier_id]
        by_id[chosen.supplier_id] = replace(chosen, assigned_total=chosen.assigned_total + 1)
        last = choice.next_rotation
    return counts


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_round_robin_counts_differ_by_at_most_one_over_ten_thousand_tasks(size):
    counts = simulate(RR, [sup(i * 10) for i in range(1, size + 1)])
    assert sum(counts.values()) == N
    assert len(counts) == size
    assert max(counts.values()) - min(counts.values()) <= 1


def test_round_robin_is_fair_across_restarts():
    """The stored last turn is all the rotation needs: every restart carries on in turn."""
    suppliers = [sup(1), sup(2), sup(3)]
    counts: Counter = Counter()
    last = None
    for _ in range(N):
        choice = pick(RR, list(suppliers), last)  # a fresh call, as after a restart
        counts[choice.supplier_id] += 1
        last = choice.next_rotation
    assert max(counts.values()) - min(counts.values()) <= 1


def test_round_robin_stays_within_one_while_suppliers_pause_and_resume():
    """Those active all along stay level; in each spell, the active ones gain within one."""
    rng = random.Random(20240611)
    ids = [1, 2, 3, 4, 5]
    steady = {1, 4}
    active = {i: True for i in ids}
    counts: Counter = Counter()
    spell: Counter = Counter()
    last = None
    for step in range(N):
        if step % 500 == 0:  # a new spell: suppliers other than the steady ones come and go
            spell_active = [i for i in ids if active[i]]
            gains = [spell[i] for i in spell_active]
            assert not gains or max(gains) - min(gains) <= 1
            spell = Counter()
            for i in set(ids) - steady:
                active[i] = rng.random() < 0.5
        choice = pick(RR, [sup(i, active=active[i]) for i in ids], last)
        assert active[choice.supplier_id]
        counts[choice.supplier_id] += 1
        spell[choice.supplier_id] += 1
        last = choice.next_rotation
        assert abs(counts[1] - counts[4]) <= 1
    assert sum(counts.values()) == N
    assert len(counts) == len(ids)


@pytest.mark.parametrize("weights", [(1, 2, 3, 4), (5, 1), (1, 1, 1), (7, 3, 1, 1, 1)])
def test_weighted_shares_stay_within_two_points_of_the_weights(weights):
    suppliers = [sup(i + 1, weight=w) for i, w in enumerate(weights)]
    counts = simulate(WEIGHTED, suppliers)
    for i, w in enumerate(weights):
        share = counts[i + 1] / N
        assert abs(share - w / sum(weights)) < 0.02
        # stride scheduling is in fact exact to within one task
        assert abs(counts[i + 1] - N * w / sum(weights)) <= 1


def test_weighted_share_of_a_supplier_at_capacity_goes_to_the_others():
    suppliers = [sup(1, weight=5), sup(2, weight=1), sup(3, weight=4, capacity=0)]
    counts = simulate(WEIGHTED, suppliers)
    assert counts[3] == 0
    assert abs(counts[1] / N - 5 / 6) < 0.02


def test_least_open_never_chooses_a_busier_supplier_while_tasks_complete_at_random():
    rng = random.Random(7)
    capacities = {1: None, 2: 6, 3: 3, 4: None}
    open_tasks = dict.fromkeys(capacities, 0)
    active = dict.fromkeys(capacities, True)
    last = None
    chosen: Counter = Counter()
    for step in range(N):
        for i in open_tasks:  # each open task has a one-in-four chance of being done now
            open_tasks[i] -= sum(rng.random() < 0.25 for _ in range(open_tasks[i]))
        if step % 1000 == 0:
            active[4] = not active[4]
        suppliers = [sup(i, active=active[i], open_tasks=open_tasks[i], capacity=capacities[i])
                     for i in capacities]
        choice = pick(LEAST, suppliers, last)
        eligible = [c for c in suppliers if is_eligible(c)]
        assert choice.supplier_id is not None
        assert open_tasks[choice.supplier_id] == min(c.open_tasks for c in eligible)
        open_tasks[choice.supplier_id] += 1
        chosen[choice.supplier_id] += 1
        last = choice.next_rotation
    assert set(chosen) == set(capacities)


def test_least_open_with_equal_loads_is_round_robin():
    counts = simulate(LEAST, [sup(1), sup(2), sup(3)])
    assert max(counts.values()) - min(counts.values()) <= 1


# --- properties ----------------------------------------------------------------------------

candidates_st = st.lists(
    st.builds(
        Candidate,
        supplier_id=st.integers(1, 30),
        name=st.sampled_from(["Kiln & Co.", "Mugshot", "Clayworks", "Potters"]),
        active=st.booleans(),
        open_tasks=st.integers(0, 12),
        capacity=st.none() | st.integers(0, 12),
        weight=st.integers(1, 9),
        assigned_total=st.integers(0, 500),
    ),
    max_size=8,
    unique_by=lambda c: c.supplier_id,
)


@given(strategy=st.sampled_from(list(Strategy)), candidates=candidates_st,
       last=st.none() | st.integers(0, 31),
       exclude=st.frozensets(st.integers(1, 30), max_size=6))
def test_the_chosen_supplier_can_always_take_the_task(strategy, candidates, last, exclude):
    choice = pick(strategy, candidates, last, exclude, category="Cups")
    eligible = [c for c in candidates if is_eligible(c, exclude)]
    if choice.supplier_id is None:
        assert eligible == []
        assert choice.next_rotation == last
        assert "Cups" in choice.reason
        named = all(c.name in choice.reason for c in candidates)
        assert named or choice.reason.startswith(("Both ", "All ")) or "other" in choice.reason
    else:
        assert choice.supplier_id in {c.supplier_id for c in eligible}
        assert choice.next_rotation == choice.supplier_id
        assert choice.reason == ""


@given(candidates=candidates_st, last=st.none() | st.integers(0, 31),
       exclude=st.frozensets(st.integers(1, 30), max_size=6))
def test_round_robin_takes_the_first_eligible_id_after_the_last_turn(candidates, last,
                                                                     exclude):
    ids = sorted(c.supplier_id for c in candidates if is_eligible(c, exclude))
    start = -1 if last is None else last
    expected = next((i for i in ids if i > start), ids[0] if ids else None)
    assert pick(RR, candidates, last, exclude).supplier_id == expected


@given(candidates=candidates_st, last=st.none() | st.integers(0, 31))
def test_least_open_and_weighted_pick_a_best_eligible_supplier(candidates, last):
    eligible = [c for c in candidates if is_eligible(c)]
    least = pick(LEAST, candidates, last).supplier_id
    weighted = pick(WEIGHTED, candidates, last).supplier_id
    if not eligible:
        assert least is None and weighted is None
        return
    by_id = {c.supplier_id: c for c in candidates}
    assert by_id[least].open_tasks == min(c.open_tasks for c in eligible)
    best = min((c.assigned_total + 1) / c.weight for c in eligible)
    chosen = by_id[weighted]
    assert (chosen.assigned_total + 1) / chosen.weight == pytest.approx(best)


@given(candidates=candidates_st, last=st.none() | st.integers(0, 31),
       strategy=st.sampled_from(list(Strategy)))
def test_the_choice_does_not_depend_on_the_order_candidates_come_in(candidates, last,
                                                                    strategy):
    assert pick(strategy, candidates, last) == pick(strategy, candidates[::-1], last)
