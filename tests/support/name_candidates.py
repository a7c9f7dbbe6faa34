"""The name search's candidates as its tests rank them: vendor B of the case, and vendors whose
names differ from it by one word, one kana, one letter or a legal form (`CANDIDATES`)."""

from __future__ import annotations

from services.registry.name_search.search import NameCandidate, NameKind

K = NameKind


def _vendor(vendor_id: str, *names: tuple[NameKind, str]) -> list[NameCandidate]:
    return [NameCandidate(vendor_id, kind, name) for kind, name in names]


# Vendor B of the case, and vendors whose names differ from it by one word, one kana,
# one letter or a legal form.
CANDIDATES = [
    *_vendor(
        "vendor-b",
        (K.LEGAL, "株式会社ビー情報システム"),
        (K.KANA, "ビージョウホウシステム"),
        (K.ENGLISH, "B Information System Co., Ltd."),
        (K.FORMER, "ビー電算センター株式会社"),
        (K.ALIAS, "BIS"),
    ),
    *_vendor(
        "vendor-bs",
        (K.LEGAL, "ビー情報サービス株式会社"),
        (K.KANA, "ビージョウホウサービス"),
        (K.ENGLISH, "B Information Service Inc."),
    ),
    *_vendor(
        "vendor-c",
        (K.LEGAL, "株式会社シー情報システム"),
        (K.KANA, "シージョウホウシステム"),
        (K.ENGLISH, "C Information System Co., Ltd."),
    ),
    *_vendor(
        "vendor-bss",
        (K.LEGAL, "有限会社ビー情報システムズ"),
        (K.KANA, "ビージョウホウシステムズ"),
        (K.ENGLISH, "B Information Systems Ltd."),
    ),
    *_vendor(
        "vendor-bd",
        (K.LEGAL, "ビー電算サービス株式会社"),
        (K.KANA, "ビーデンサンサービス"),
        (K.FORMER, "ビー電算株式会社"),
    ),
    *_vendor(
        "vendor-d",
        (K.LEGAL, "ディー情報システム合同会社"),
        (K.KANA, "ディージョウホウシステム"),
        (K.ENGLISH, "D Information System LLC"),
    ),
    *_vendor(
        "vendor-bsys",
        (K.LEGAL, "株式会社ビーシステム"),
        (K.KANA, "ビーシステム"),
        (K.ENGLISH, "B System Corporation"),
    ),
]
