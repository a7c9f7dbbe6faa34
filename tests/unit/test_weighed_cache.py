"""The caches of request texts (GraphQL documents, persisted queries) hold no more than their
budget by weight, whatever the number of entries, least recently used out first."""

from __future__ import annotations

from services.platform.weighed_cache import WeighedCache


def test_the_least_recently_used_go_out_to_keep_within_the_budget() -> None:
    cache: WeighedCache[str, int] = WeighedCache(entries=100, budget=10)
    for n, key in enumerate("abcd"):
        cache.put(key, n, 3)
    assert cache.get("a") is None  # 12 > 10: the oldest went
    assert cache.get("b") == 1  # now the most recently used
    cache.put("e", 4, 3)
    assert [cache.get(k) for k in "bcde"] == [1, None, 3, 4]
    assert (cache.held, len(cache)) == (9, 3)


def test_an_entry_heavier_than_the_budget_is_not_kept_and_pushes_nothing_out() -> None:
    cache: WeighedCache[str, int] = WeighedCache(entries=100, budget=10)
    cache.put("small", 1, 4)
    cache.put("huge", 2, 11)
    assert (cache.get("huge"), cache.get("small"), cache.held) == (None, 1, 4)


def test_the_count_still_bounds_light_entries_and_a_key_put_again_is_weighed_once() -> None:
    cache: WeighedCache[int, int] = WeighedCache(entries=3, budget=1_000)
    for n in range(5):
        cache.put(n, n, 1)
    cache.put(4, 4, 7)
    assert ([cache.get(n) for n in range(5)], cache.held) == ([None, None, 2, 3, 4], 9)
