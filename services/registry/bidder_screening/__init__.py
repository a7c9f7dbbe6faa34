"""Screening a bidder list as it arrives (`screenBidders`).

Bidders come by vendor id, by identifier (a 法人番号, an LEI, …) or by name (with a country and
an address). `bidders.py` checks each one (pure: a wrong check digit is that bidder's error);
`matching.py` scores the name bidders against the names of the barred vendors in one batch
(pure); `explanations.py` says why a name matched (pure); `service.py` reads what it needs
from PostgreSQL in a fixed number of statements and answers every bidder in input order;
`graphql_types.py` is its GraphQL field and types.
"""
