"""The DID pool helper and the caller-ID list edits, without a server."""

from __future__ import annotations

import pytest

from velo_portsip import DidPool, InvalidPool, OutboundCallerId
from velo_portsip.caller_ids import preferring, with_caller_id, without_caller_id
from velo_portsip.pools import add_number, normalise, remove_number


def test_parses_numbers_and_ranges_into_a_sorted_merged_pool() -> None:
    assert normalise("12000-18000;3000; 3001 ;2999") == "2999-3001;12000-18000"


def test_an_empty_pool_stays_empty() -> None:
    assert normalise("") == "" and normalise(None) == "" and len(DidPool.parse(";")) == 0


def test_adding_a_number_keeps_every_other_number_and_range() -> None:
    assert add_number("3000;12000-18000", "442071234567") == "3000;12000-18000;442071234567"


def test_adding_a_neighbour_extends_the_range() -> None:
    assert add_number("12000-18000", "18001") == "12000-18001"


def test_adding_a_number_already_inside_changes_nothing() -> None:
    assert add_number("3000;12000-18000", "15000") == "3000;12000-18000"


def test_removing_a_number_inside_a_range_splits_the_range() -> None:
    assert remove_number("3000;12000-18000", "15000") == "3000;12000-14999;15001-18000"


def test_removing_a_range_edge_shrinks_it() -> None:
    assert remove_number("12000-18000", "12000") == "12001-18000"
    assert remove_number("12000-18000", "18000") == "12000-17999"


def test_removing_a_single_number_keeps_the_others() -> None:
    assert remove_number("3000;442071234567;12000-18000", "442071234567") == "3000;12000-18000"


def test_removing_an_absent_number_changes_nothing() -> None:
    assert remove_number("3000", "3001") == "3000"


def test_numbers_of_different_lengths_never_merge() -> None:
    assert normalise("999;1000") == "999;1000"


@pytest.mark.parametrize(
    "bad", ["+442071234567", "02071234567", "0044207", "12a", "18000-12000", "999-1000", "-5"]
)
def test_refuses_what_portsip_refuses(bad: str) -> None:
    with pytest.raises(InvalidPool):
        DidPool.parse(bad)


def test_membership_and_coverage() -> None:
    pool = DidPool.parse("3000;12000-18000")
    assert "15000" in pool and 3000 in pool and "3001" not in pool and "+3000" not in pool
    assert pool.covers("12000-12010") and not pool.covers("17990-18010")
    assert len(pool) == 6002


def _cid(number: str, preferred: bool = False) -> OutboundCallerId:
    return OutboundCallerId(provider_id="p", caller_id=number, preferred=preferred)


def test_a_new_preferred_caller_id_takes_preference_from_the_others() -> None:
    ids = with_caller_id([_cid("1", preferred=True), _cid("2")], _cid("3", preferred=True))
    assert [(i.caller_id, i.preferred) for i in ids] == [("1", False), ("2", False), ("3", True)]


def test_adding_an_existing_caller_id_replaces_it() -> None:
    assert len(with_caller_id([_cid("1")], _cid("1", preferred=True))) == 1


def test_removing_and_preferring_caller_ids() -> None:
    ids = [_cid("1", preferred=True), _cid("2")]
    assert [i.caller_id for i in without_caller_id(ids, "1")] == ["2"]
    assert [i.preferred for i in preferring(ids, "2")] == [False, True]
    with pytest.raises(KeyError):
        preferring(ids, "9")
