"""Ranking a vendor-name query against 20,000 candidate names (measured, not asserted)."""

from __future__ import annotations

import random
from typing import Any

from services.registry.names import name_tokens
from services.registry.search import NameCandidate, NameKind, rank

VENDORS = 5_000  # four names each: 20,000 candidates
_KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
_KANJI = "情報通信技術開発研究電算計画工業商事建設物産総合東西南北"
_LATIN = "abcdefghijklmnopqrstuvwxyz"


def _candidates() -> list[NameCandidate]:
    rng = random.Random(20220708)
    names: list[NameCandidate] = []
    for n in range(VENDORS):
        vendor_id = f"vendor-{n:05d}"
        kana = "".join(rng.choices(_KANA, k=rng.randint(3, 9)))
        kanji = "".join(rng.choices(_KANJI, k=rng.randint(2, 4)))
        latin = "".join(rng.choices(_LATIN, k=rng.randint(4, 10))).title()
        names += [
            NameCandidate(vendor_id, NameKind.LEGAL, f"株式会社{kana}{kanji}"),
            NameCandidate(vendor_id, NameKind.KANA, f"{kana}ジョウホウ"),
            NameCandidate(vendor_id, NameKind.ENGLISH, f"{latin} {kanji} Co., Ltd."),
            NameCandidate(vendor_id, NameKind.FORMER, f"{kana}{kanji}有限会社"),
        ]
    # The vendor searched for, among them.
    names.append(NameCandidate("vendor-b", NameKind.KANA, "ビージョウホウシステム"))
    return names


def test_rank_20000_names(benchmark: Any) -> None:
    """Warm: the candidates' normalised forms are cached, as when one registry process
    answers query after query over the same vendors."""
    candidates = _candidates()
    rank("warm-up", candidates)

    hits = benchmark(rank, "ﾋﾞｰｼﾞｮｳﾎｳｼｽﾃﾑ", candidates)
    assert hits[0].vendor_id == "vendor-b"


def test_rank_20000_names_cold(benchmark: Any) -> None:
    """Cold: every candidate name is normalised again in each round."""
    candidates = _candidates()

    def clear() -> None:
        name_tokens.cache_clear()

    hits = benchmark.pedantic(
        rank, args=("ﾋﾞｰｼﾞｮｳﾎｳｼｽﾃﾑ", candidates), setup=clear, rounds=5, iterations=1
    )
    assert hits[0].vendor_id == "vendor-b"
