"""Which vendor a list's entity is: one already known, or a new one (no I/O but the import's
scratch database, `scratch.py`, where what it knows is kept).

An import resolves each entity (a name, its other names, a country, perhaps identifiers)
against the vendors the registry held when the import started (earlier imports of other
lists, vendors registered by hand or from contract registers) and the vendors the import
itself has made so far, in this order:

1. **Its own entry.** The vendor the same list's entity became before (an earlier row of the
   file, or an earlier import of the list: `events.vendor_id` of the entity is its id).
2. **A strong identifier.** An identifier (scheme and value, as `registry.names` normalises
   them) held by exactly one known vendor: the entity joins it. Identifiers held by two
   vendors are ambiguous: no join, both become candidates for review.
3. **Name and country.** Every name of the entity (its name and other names) against every
   current name of the known vendors, in their *resolution form*: the registry's own
   normalisation (`registry.names.name_tokens`: NFKC, case, legal forms such as Ltd., Co.,
   LLC, S.A. and 株式会社 set aside, punctuation ignored), then a leading honorific (Mr., Ms.,
   Dr., Ir., …) set aside, and a bracketed short name set aside when it is made of the name's
   own words or their initials ("Vital Supplies and Logistics Ltd (Vital)", "Sao Bac Dau South
   … (SBD South)" — but not "Uralkotloservice Pkf Zao (Tambov)", a branch). The score is
   rapidfuzz's `fuzz.ratio` of the compact forms (100: equal). The entity joins a vendor of
   the same country scoring at least JOIN_SCORE — only when exactly one vendor does: two or
   more are ambiguous, and nothing is merged. Nor is a vendor holding an identifier in a scheme
   in which the entity has another (two corporate numbers are two firms). (With JOIN_SCORE at
   100 this is a lookup of equal forms; lowering it would need a fuzzy search over the forms,
   which is not built.)

   JOIN_SCORE is 100, equal resolution forms, because the banks' lists are full of distinct
   firms whose names differ by one short word: the Hebei Construction Group's branches
   "… Beijing No 3 Branch" and "… Beijing No 6 Branch" score 97.8, "… Kangping Branch" and
   "… Kunming Branch" 93. A fuzzy join would merge different firms; a typo ("Comnpany",
   "lndah") goes to review instead.

   An entity joined by an identifier (2., or 1. for a Japanese list's entity, whose own id
   holds its 法人番号) none of whose names resembles the vendor's (scoring under
   REVIEW_SCORE) is joined all the same and proposed for review: a firm renamed, or another
   firm's number written on its row.

4. **Otherwise a new vendor**, and for review, as "possible same as" candidates, the known
   vendors that scored at least REVIEW_SCORE by the registry's search scorer
   (`registry.search.score_names`: the best of the compact ratio and WRatio over words, an
   acronym or short alias such as "GRU" matching whole words only, never inside "Grupo"), or
   that had the same resolution form but another country, or no country on one side, or that
   tied in an ambiguous case. Candidates are never merged: the registry has no event for
   "possible same as" yet, so they are part of the import's report (one line each on
   stdout), for a person to decide (and record with vendor events if they are one firm).

A list tells its own entities apart (the World Bank lists two branches with one name at two
addresses): a vendor the same list's import made for another of its entities is neither
joined nor proposed for review (a vendor of another list that such an entity joined may be).
A joined vendor gains the entity's names it does not have (by normalised form) as aliases, and
the entity's kind (a firm or a person) when its own is not known (`kind_of`, `learn_kind`).
What an entity resolves to depends on what is known when it is read; the events made from it
depend only on that (`events.py`), so the same file imported again resolves nothing anew: its
sanctions are recorded already.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from services.events.vendor import VendorKind
from services.imports.resolution_forms import resolution_form
from services.imports.scratch import Scratch
from services.imports.scratch_vendors import Known
from services.registry.domain.names import IdentifierKey, name_tokens, normalize_name
from services.registry.name_search.name_index import NameIndex
from services.registry.name_search.search import NameCandidate, NameKind, score_names

__all__ = [
    "JOIN_SCORE",
    "REVIEW_SCORE",
    "Candidate",
    "Entity",
    "How",
    "Known",
    "Resolution",
    "Resolver",
    "resolution_form",
]

# Names join at this compact fuzz.ratio of their resolution forms and above (module docstring).
JOIN_SCORE = 100.0
# Known vendors scoring this much by the registry's search scorer become candidates for review.
REVIEW_SCORE = 90.0
# At most this many candidates per entity, best first.
CANDIDATES = 5


def _differing(ours: Iterable[IdentifierKey], theirs: set[IdentifierKey]) -> str | None:
    """A scheme in which both sides have an identifier and none is shared (two corporate
    numbers: two firms, whatever their names), or None."""
    schemes = {key.scheme for key in ours}
    shared = {key.scheme for key in theirs if key.scheme in schemes}
    return next(iter(sorted(shared - {key.scheme for key in theirs & set(ours)})), None)


class How(StrEnum):
    """How an entity found its vendor."""

    OWN = "own entry"  # the vendor this list's entity became before
    IDENTIFIER = "identifier"
    NAME_COUNTRY = "name and country"
    NEW = "new vendor"


@dataclass(frozen=True)
class Entity:
    """A list's entity as it is resolved."""

    own_id: str  # events.vendor_id: its vendor if it makes one
    source: str  # the list (worldbank, idb, …)
    name: str
    aliases: tuple[str, ...]
    country: str | None
    identifiers: tuple[IdentifierKey, ...] = ()
    kind: VendorKind | None = None  # a firm or a person, where the list says which

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.name, *self.aliases)))


@dataclass(frozen=True)
class Candidate:
    """A known vendor the entity may be, for a person to decide."""

    vendor_id: str
    name: str  # its name that matched
    score: float
    why: str


@dataclass(frozen=True)
class Resolution:
    vendor_id: str
    how: How
    score: float | None = None  # of a name-and-country join
    matched_name: str | None = None  # the vendor's name it joined by
    candidates: tuple[Candidate, ...] = ()
    # A joined vendor's aliases once the entity's other names are added (None: unchanged).
    aliases: tuple[str, ...] | None = None


def _likeness(ours: Sequence[str], theirs: Sequence[str]) -> float:
    """The best score, by the registry's search scorer, of any of `ours` against any of
    `theirs` (0: none has a letter or digit to compare)."""
    words = [name_tokens(name) for name in theirs]
    compact = [w.replace(" ", "") for w in words]
    best = 0.0
    for name in ours:
        query = name_tokens(name)
        if query:
            found = score_names(query, query.replace(" ", ""), words, compact, 0.0)
            best = max(best, *found.values(), 0.0)
    return best


def _indexed(vendor_id: str, names: Sequence[str]) -> list[NameCandidate]:
    """A vendor's names as the fuzzy index holds them (the legal name first)."""
    kinds = (NameKind.LEGAL, *(NameKind.ALIAS for _ in names[1:]))
    return [NameCandidate(vendor_id, kind, name) for kind, name in zip(kinds, names, strict=True)]


class Resolver:
    """Resolves one list's entities, in file order, against what is known (module docstring).

    What it knows is kept in the import's scratch database (`scratch.py`: a new one unless
    given), so that its memory does not grow with the list; only the fuzzy index of the other
    lists' and the registry's vendors (candidates for review) is in memory: it grows with the
    registry, not with the file."""

    def __init__(
        self,
        source: str,
        known: Iterable[Known] = (),
        review_score: float = REVIEW_SCORE,
        scratch: Scratch | None = None,
    ) -> None:
        self._source, self._review = source, review_score
        self._vendors = (scratch or Scratch()).vendors
        self._vendors.learn(known)
        # The fuzzy index holds other lists' and the registry's vendors only: this list's own
        # are never candidates (module docstring), and so a first import indexes nothing.
        self._index = NameIndex()
        for batch in self._vendors.named(besides_prefix=f"{source}:"):
            self._index.replace_vendors({v: _indexed(v, names) for v, names in batch.items()})

    def note(self, own_id: str, vendor_id: str) -> None:
        """The entity `own_id` is recorded on `vendor_id` already (an earlier import)."""
        self._vendors.set_own(own_id, vendor_id)

    def resolve(self, entity: Entity) -> Resolution:
        """The entity's vendor, recorded (`decide`, then `record`)."""
        resolution = self.decide(entity)
        self.record(entity, resolution)
        return resolution

    def decide(self, entity: Entity) -> Resolution:
        """The entity's vendor; nothing is learnt until `record` (its events may be refused)."""
        return self._resolution(entity)

    def record(self, entity: Entity, resolution: Resolution) -> None:
        """What was decided becomes known: a new vendor, a vendor's new names, the entity's."""
        vendor = resolution.vendor_id
        if resolution.how is How.NEW:
            self._add(vendor, entity.country, entity.names, entity.aliases, entity.kind)
        elif resolution.aliases is not None:
            self._add(vendor, entity.country, entity.names, resolution.aliases)
        self._vendors.identify(vendor, entity.identifiers)
        if resolution.how is not How.NEW:  # a new vendor has the entity's id: found as such
            self._vendors.set_own(entity.own_id, vendor)

    def _resolution(self, entity: Entity) -> Resolution:
        own = self._vendors.own(entity.own_id)
        if own is not None:
            aliases, check = self._new_aliases(own, entity), self._named_otherwise(own, entity)
            return Resolution(own, How.OWN, aliases=aliases, candidates=check)
        holders = self._vendors.holders(entity.identifiers)
        if len(holders) == 1:
            vendor = holders[0]
            check = self._named_otherwise(vendor, entity)
            aliases = self._new_aliases(vendor, entity)
            return Resolution(vendor, How.IDENTIFIER, aliases=aliases, candidates=check)
        tied = [
            Candidate(v, known.names[0], 100.0, "shares an identifier")
            for v in holders
            if (known := self._vendors.get(v)) is not None
        ]
        joinable: dict[str, str] = {}  # vendor → its name of the entity's resolution form
        other: list[Candidate] = []
        for name in entity.names:
            form = resolution_form(name)
            if not form:
                continue
            for vendor, matched, country in self._vendors.of_form(form):
                if vendor.startswith(f"{entity.source}:"):
                    continue  # another entity of the same list: the list tells them apart
                if entity.country is None or country is None:
                    why = "same name, no country to compare"
                elif country != entity.country:
                    why = f"same name, other country ({country})"
                elif other_scheme := self._other_scheme(entity, vendor):
                    why = f"same name and country, another {other_scheme}"
                else:
                    joinable.setdefault(vendor, matched)
                    continue
                other.append(Candidate(vendor, matched, 100.0, why))
        if len(joinable) == 1 and not tied:
            vendor, matched = next(iter(joinable.items()))
            aliases = self._new_aliases(vendor, entity)
            return Resolution(vendor, How.NAME_COUNTRY, JOIN_SCORE, matched, aliases=aliases)
        if len(joinable) > 1:
            why = f"one of {len(joinable)} vendors of this name and country"
            tied += [Candidate(v, m, JOIN_SCORE, why) for v, m in joinable.items()]
        candidates = self._review_candidates(entity, [*tied, *other])
        return Resolution(entity.own_id, How.NEW, candidates=candidates)

    def _named_otherwise(self, vendor_id: str, entity: Entity) -> tuple[Candidate, ...]:
        """The vendor an entity joined by an identifier (its own id holds a 法人番号, or a
        known vendor holds it), for review when none of the entity's names resembles one of
        the vendor's (their best score under the review score): one firm renamed, or a
        number mistyped into another firm's (a check digit catches one wrong digit, not a
        number copied from the row above). Joined all the same: the identifier says so."""
        if not entity.identifiers or not (names := self._vendors.names(vendor_id)):
            return ()
        score = _likeness(entity.names, names)
        if score >= self._review:
            return ()
        held = set(self._vendors.identifiers(vendor_id))
        key = next((k for k in entity.identifiers if k in held), entity.identifiers[0])
        why = f"joined by its {key.scheme} {key.value}, under another name: check the number"
        return (Candidate(vendor_id, names[0], score, why),)

    def _other_scheme(self, entity: Entity, vendor_id: str) -> str | None:
        """`_differing` of the entity's identifiers and the vendor's (None when it has none)."""
        if not entity.identifiers:
            return None
        return _differing(entity.identifiers, set(self._vendors.identifiers(vendor_id)))

    def _review_candidates(self, entity: Entity, found: list[Candidate]) -> tuple[Candidate, ...]:
        """`found`, then the best fuzzy matches of the entity's name, one per vendor."""
        best: dict[str, Candidate] = {}
        for candidate in found:
            best.setdefault(candidate.vendor_id, candidate)
        for name in entity.names:
            if not normalize_name(name) or not len(self._index):
                continue
            for hit in self._index.search(name, limit=CANDIDATES, min_score=self._review):
                same_list = hit.vendor_id.startswith(f"{entity.source}:")
                if hit.vendor_id in best or same_list:  # the list wrote another name
                    continue
                known = self._vendors.get(hit.vendor_id)
                country = known.country if known is not None else None
                why = "similar name" + ("" if country == entity.country else f" ({country})")
                best[hit.vendor_id] = Candidate(hit.vendor_id, hit.matched_name, hit.score, why)
        ordered = sorted(best.values(), key=lambda c: (-c.score, c.vendor_id))
        return tuple(ordered[:CANDIDATES])

    def kind_of(self, vendor_id: str) -> VendorKind | None:
        """Whether the vendor is a firm or a person as far as this import knows; None: not
        known (or a vendor it does not know)."""
        return self._vendors.kind(vendor_id)

    def knows(self, vendor_id: str) -> bool:
        """Whether the vendor is one this import knows (the registry's, or one it made)."""
        return vendor_id in self._vendors

    def learn_kind(self, vendor_id: str, kind: VendorKind) -> None:
        """The vendor is a firm or a person (an entity joining it said which)."""
        self._vendors.set_kind(vendor_id, kind)

    def identifiers_of(self, vendor_id: str) -> tuple[IdentifierKey, ...]:
        """The identifiers a vendor holds as far as this import knows, in order."""
        return self._vendors.identifiers(vendor_id)

    def legal_name(self, vendor_id: str) -> str | None:
        """The vendor's legal name as known when the import started; None: not known."""
        names = self._vendors.names(vendor_id)
        return names[0] if names else None

    def names_of(self, vendor_id: str) -> tuple[str, ...]:
        """The vendor's names as this import knows them (its legal name first, and those it
        keeps matching by: former names, aliases); (): not known."""
        return self._vendors.names(vendor_id)

    def names_to_add(
        self, vendor_id: str, entity: Entity, besides: str | None = None
    ) -> tuple[str, ...] | None:
        """The aliases `vendor_id` has once it gains the entity's names it has no form of
        (`besides` aside: a name it takes as its legal name); None: none new. Nothing is
        learnt until `record`."""
        return self._new_aliases(vendor_id, entity, besides)

    def _new_aliases(
        self, vendor_id: str, entity: Entity, besides: str | None = None
    ) -> tuple[str, ...] | None:
        """The vendor's aliases with the entity's names it has no form of; None: none new."""
        if vendor_id not in self._vendors:  # recorded under a vendor this import does not know
            return None
        forms = self._vendors.forms(vendor_id)
        if besides is not None:
            forms.add(normalize_name(besides))
        new = []
        for name in entity.names:
            form = normalize_name(name)
            if form and form not in forms:
                forms.add(form)
                new.append(name)
        return (*self._vendors.aliases(vendor_id), *new) if new else None

    def _add(
        self,
        vendor_id: str,
        country: str | None,
        names: Sequence[str],
        aliases: Sequence[str],
        kind: VendorKind | None = None,
    ) -> None:
        names_now = self._vendors.add(vendor_id, country, names, aliases, kind)
        if names_now is not None and not vendor_id.startswith(f"{self._source}:"):
            self._index.replace_vendors({vendor_id: _indexed(vendor_id, names_now)})
