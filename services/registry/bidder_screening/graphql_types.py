"""`screenBidders`: a bidder list screened in one call, every bidder answered in order."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from services.events.match_review import MatchDecision as MatchDecisionModel
from services.platform.graphql.context import Info
from services.platform.graphql.descriptions import described_enum
from services.platform.off_the_loop import Turns
from services.registry.api.graphql_arguments import (
    AGENCY,
    AS_OF,
    CATEGORY,
    KNOWN_AT,
    judged_for,
    today,
)
from services.registry.api.graphql_context import NAME_INDEX
from services.registry.api.graphql_eligibility import (
    BidEligibility,
    EligibilityReason,
    bar_days_asked,
)
from services.registry.api.graphql_vendors import IdentifierInput, NameKind
from services.registry.bidder_screening import model
from services.registry.bidder_screening.bidders import BidderListRefused
from services.registry.bidder_screening.explanations import why
from services.registry.bidder_screening.matching import Thresholds
from services.registry.bidder_screening.reviews import voided_why
from services.registry.bidder_screening.service import Day, screen_bidders
from services.registry.domain.names import IdentifierKey
from services.registry.domain.names import Normalisation as NormalisationModel
from services.registry.reads import queries

ScreeningStatus = described_enum(
    model.Status,
    name="ScreeningStatus",
    description="What the registry says of a bidder.",
    values={
        "ELIGIBLE": "A registered vendor (by id or identifier) nothing bars on the day.",
        "BARRED": "A registered vendor barred on the day: `eligibility` has every reason and"
        " `eligibleAgainOn`.",
        "POSSIBLE_MATCH": "A name scoring at the review threshold against the names of a"
        " vendor barred on the day or with a bar recorded to come (or of an affiliate it is"
        " barred through): `candidates`, to be reviewed.",
        "UNKNOWN": "No vendor has this id or identifier (as the registry stood at `knownAt`: a"
        " vendor registered later was not on record); or, by name, no name of a vendor barred"
        " on the day or later reaches the threshold (nothing the registry knows bars it, now"
        " or to come).",
        "INVALID": "The bidder's own input is wrong (`error` says which field and why); the"
        " other bidders are screened.",
    },
)
Normalisation = described_enum(
    NormalisationModel,
    name="NameNormalisation",
    description="A difference between two names that the comparison set aside.",
    values={
        "WIDTH_FOLDED": "Full-width Latin letters and digits, half-width kana, ㈱ and the like"
        " read as their ordinary forms (Unicode NFKC).",
        "CASE_FOLDED": "Upper and lower case ignored.",
        "KANA_FOLDED": "Hiragana read as katakana, small kana as large, a dash after kana as ー.",
        "LEGAL_FORM_REMOVED": "A legal form set aside (株式会社, Co., Ltd., LLC, GmbH, S.A., …).",
        "PUNCTUATION_IGNORED": "Punctuation and symbols between words ignored.",
        "ACCENTS_FOLDED": "Latin letters read without their accents (Inşaat as Insaat).",
    },
)


MatchDecision = described_enum(
    MatchDecisionModel,
    name="MatchDecision",
    description="What an officer found a bidder screened by name to be, for one vendor.",
    values={
        "CONFIRMED": "The bidder is the vendor: screenings of the same name and address answer"
        " it as the vendor, and the name became one of the vendor's aliases.",
        "NOT_SAME": "Another firm (a false positive): screenings of the same name and address"
        " no longer flag the vendor, until its record changes (a new or amended sanction, a new"
        " name or identifier).",
    },
)


@strawberry.type(
    description="An officer's latest decision (`reviewMatch`) on a bidder's name and address"
    " and one vendor, as the screening applied it."
)
class MatchReview:
    vendor_id: strawberry.ID = strawberry.field(description="The vendor the decision is about.")
    decision: MatchDecision = strawberry.field(  # type: ignore[valid-type]
        description="What the officer decided."
    )
    reason: str = strawberry.field(description="Why, in the officer's words.")
    recorded_by: str = strawberry.field(
        description="Who decided: the subject of the token that recorded it."
    )
    recorded_at: dt.datetime = strawberry.field(description="When the log recorded it.")
    event_id: strawberry.ID = strawberry.field(
        description="The `vendor.match_reviewed` event (in the vendor's timeline and the audit"
        " trail)."
    )
    voided: str | None = strawberry.field(
        description="NOT_SAME only: why the decision is no longer honoured (the vendor's record"
        " changed since: the vendor is flagged again, to be reviewed again); null while it"
        " holds."
    )

    @classmethod
    def of(cls, review: model.Review) -> MatchReview:
        return cls(
            vendor_id=strawberry.ID(review.vendor_id),
            decision=review.decision,
            reason=review.reason,
            recorded_by=review.recorded_by,
            recorded_at=review.recorded_at,
            event_id=strawberry.ID(str(review.event_id)),
            voided=voided_why(review.voided_by) if review.voided_by else None,
        )


@strawberry.input(
    description="One bidder of a list: your reference, and exactly one of `vendorId`,"
    " `identifier` and `name` (a name may come with a country and an address)."
)
class BidderInput:
    ref: str = strawberry.field(
        description="Your reference for the bidder (e.g. its line in the portal's list);"
        " returned with its answer, so one ref per bidder of the list: a ref given twice"
        " refuses the call."
    )
    vendor_id: strawberry.ID | None = strawberry.field(
        default=None, description="The bidder, by its vendor id in the registry."
    )
    identifier: IdentifierInput | None = strawberry.field(
        default=None,
        description="The bidder, by an identifier (a corporate number's check digit is"
        " checked: a wrong one is this bidder's error).",
    )
    name: str | None = strawberry.field(
        default=None, description="The bidder, by its name as the list writes it."
    )
    country: str | None = strawberry.field(
        default=None,
        description="With `name`: its country, ISO 3166-1 alpha-2 (a vendor of another country"
        " must score higher to be a possible match).",
    )
    address: str | None = strawberry.field(
        default=None, description="With `name`: its address, as the list writes it."
    )

    def bidder(self) -> model.Bidder:
        identifier = self.identifier
        return model.Bidder(
            ref=self.ref,
            vendor_id=str(self.vendor_id) if self.vendor_id is not None else None,
            identifier=IdentifierKey(identifier.scheme, identifier.value) if identifier else None,
            name=self.name,
            country=self.country,
            address=self.address,
        )


@strawberry.type(description="One of a candidate vendor's names, scored against the bidder's.")
class ScoredName:
    name: str = strawberry.field(description="The vendor's name, as stored.")
    kind: NameKind = strawberry.field(  # type: ignore[valid-type]
        description="Which of its names it is (legal, kana, English, former, alias), on"
        " `asOf`, as `matchedKind`."
    )
    score: float = strawberry.field(
        description="0–100, as `vendors(search:)` scores; 100: equal once normalised."
    )
    normalisations: list[Normalisation] = strawberry.field(  # type: ignore[valid-type]
        description="What was set aside in the bidder's name or this one to compare them."
    )


@strawberry.type(
    description="A vendor barred on the day, or with a bar recorded to come, that a bidder's"
    " name may be, and why."
)
class ScreeningCandidate:
    vendor_id: strawberry.ID = strawberry.field(
        description="The vendor barred on the day, or to be barred (`eligible`, `upcoming`)."
    )
    score: float = strawberry.field(description="Its best name's score, 0–100.")
    matched_name: str = strawberry.field(
        description="Which of its recorded names scored best, as recorded (its legal, kana,"
        " English or a former name, or an alias: `matchedKind` says which), not the bidder's."
    )
    matched_kind: NameKind = strawberry.field(  # type: ignore[valid-type]
        description="Which of its names that is (a former name or an alias counts too), on"
        " `asOf`: a name the vendor gave up later, by a rename taking effect after `asOf`, is"
        " the kind it was then (LEGAL, KANA, ENGLISH), not FORMER."
    )
    names: list[ScoredName] = strawberry.field(
        description="Every one of its names with its score, best first."
    )
    normalisations: list[Normalisation] = strawberry.field(  # type: ignore[valid-type]
        description="What was set aside to compare the bidder's name with the matched name."
    )
    country: str | None = strawberry.field(description="The vendor's country, when recorded.")
    why: str = strawberry.field(description="The match explained in one sentence.")
    eligible: bool = strawberry.field(
        description="True when nothing bars the vendor on the day: a candidate for the bar to"
        " come that `upcoming` lists."
    )
    reasons: list[EligibilityReason] = strawberry.field(
        description="Every sanction barring the vendor on the day (its own or an affiliate's);"
        " empty when `eligible`."
    )
    upcoming: list[EligibilityReason] = strawberry.field(
        description="Sanctions already recorded that will bar the vendor after the day, each"
        " with the first day it bars (as `bidEligibility`'s `upcoming`)."
    )
    eligible_again_on: dt.date | None = strawberry.field(
        description="First date the vendor is eligible again; null when eligible on the day or"
        " barred indefinitely."
    )

    @classmethod
    def of(cls, candidate: model.Candidate, bidder_country: str | None) -> ScreeningCandidate:
        match, matched = candidate.match, candidate.match.matched
        return cls(
            vendor_id=strawberry.ID(match.vendor_id),
            score=match.score,
            matched_name=matched.name,
            matched_kind=matched.kind,
            names=[
                ScoredName(name=n.name, kind=n.kind, score=n.score, normalisations=_ordered(n))
                for n in match.names
            ],
            normalisations=_ordered(matched),
            country=match.country,
            why=why(match, bidder_country),
            eligible=candidate.eligibility.eligible,
            reasons=[EligibilityReason.of(r) for r in candidate.eligibility.reasons],
            upcoming=[EligibilityReason.of(r) for r in candidate.eligibility.upcoming],
            eligible_again_on=candidate.eligibility.eligible_again_on,
        )


def _ordered(name: model.ScoredName) -> list[NormalisationModel]:
    return [step for step in NormalisationModel if step in name.normalisations]


@strawberry.type(description="The answer for one bidder, in the order the bidders were given.")
class BidderScreening:
    ref: str = strawberry.field(description="The bidder's `ref`, as given.")
    status: ScreeningStatus = strawberry.field(  # type: ignore[valid-type]
        description="What the registry says of the bidder."
    )
    vendor_id: strawberry.ID | None = strawberry.field(
        description="The vendor the bidder is (ELIGIBLE, BARRED); null otherwise."
    )
    eligibility: BidEligibility | None = strawberry.field(
        description="ELIGIBLE and BARRED: the vendor's eligibility, every reason and"
        " `eligibleAgainOn`; null otherwise."
    )
    candidates: list[ScreeningCandidate] = strawberry.field(
        description="POSSIBLE_MATCH: the vendors barred on the day or with a bar to come that"
        " the name may be, best first; empty otherwise."
    )
    error: str | None = strawberry.field(
        description="INVALID: which field is wrong and why; null otherwise."
    )
    reviews: list[MatchReview] = strawberry.field(
        description="By name: the officers' decisions on this name and address (the latest per"
        " vendor, newest first): a CONFIRMED one answers the bidder as its vendor, a NOT_SAME"
        " one in force keeps its vendor out of `candidates`; empty otherwise."
    )
    former_identifier: bool = strawberry.field(
        description="By identifier: true when the identifier is one the vendor held until an"
        " update replaced it and no vendor holds now (the vendor is answered as by its id, for"
        " the officer to check the number: a barred firm does not escape by a new one); with"
        " `knownAt` before the update, the identifier was the vendor's own (false). False"
        " otherwise."
    )

    @classmethod
    def of(cls, answer: model.BidderAnswer, bidder: model.Bidder) -> BidderScreening:
        country = bidder.country.strip().upper() if bidder.country else None
        return cls(
            ref=answer.ref,
            status=answer.status,
            vendor_id=strawberry.ID(answer.vendor_id) if answer.vendor_id else None,
            eligibility=BidEligibility.of(answer.eligibility) if answer.eligibility else None,
            candidates=[ScreeningCandidate.of(c, country) for c in answer.candidates],
            error=answer.error,
            reviews=[MatchReview.of(r) for r in answer.reviews],
            former_identifier=answer.former_identifier,
        )


@strawberry.type
class BidderScreeningQuery:
    @strawberry.field(
        description="Screens a bidder list as it arrives (up to 5,000 a request, counted with"
        " every other `screenBidders` and `bidEligibilityMany` of it): by vendor id, by"
        " identifier or by name, each bidder answered in order, ELIGIBLE, BARRED,"
        " POSSIBLE_MATCH, UNKNOWN or INVALID, in a fixed number of SQL statements."
    )
    async def screen_bidders(
        self,
        info: Info,
        bidders: Annotated[
            list[BidderInput],
            strawberry.argument(description="The bidders; answers come in this order."),
        ],
        as_of: Annotated[dt.date | None, strawberry.argument(description=AS_OF)] = None,
        agency: Annotated[str | None, strawberry.argument(description=AGENCY)] = None,
        category: Annotated[str | None, strawberry.argument(description=CATEGORY)] = None,
        known_at: Annotated[dt.datetime | None, strawberry.argument(description=KNOWN_AT)] = None,
    ) -> list[BidderScreening]:
        agency, category = judged_for(agency, category)
        settings = info.context.settings
        given = [b.bidder() for b in bidders]
        try:
            answers = await screen_bidders(
                info.context.pool,
                info.context.part(NAME_INDEX),
                given,
                Day(as_of or today(info), agency, category, known_at),
                Thresholds(
                    settings.screening_review_threshold,
                    settings.screening_other_country_threshold,
                ),
                with_bars_from=bar_days_asked(info),
            )
        except BidderListRefused as error:
            raise queries.RegistryQueryError(str(error)) from None
        # The answers made into GraphQL objects giving the loop turns, as they were made.
        screenings, turns = [], Turns()
        for answer, bidder in zip(answers, given, strict=True):
            screenings.append(BidderScreening.of(answer, bidder))
            await turns.give()
        return screenings
