"""Each distinct GraphQL document parsed and validated once; the caller checked per request.

Parsed documents and what validation found are kept by text, least recently used first out,
within a memory budget each (`DOCUMENT_BYTES`, weighed by `document_weight`), not only a
count: 1,024 distinct documents padded to a few megabytes (a comment) pinned gigabytes.

Validating a document against the schema cost about half of a small request. What a
document is (valid or not, which root fields it uses, which `agency` arguments it passes to
agency-owned fields) does not depend on who sends it, so it is worked out once per document
text and kept (bounded, least recently used first out). What does depend on the caller (its
role may use those root fields, those agencies are its own) is then a few comparisons per
request against what was kept, with the same errors, at the same places in the document,
as when they were validation rules (permissions.py, agency_scope.py). A request runs one
operation of its document (`operationName`), so the caller is judged on that operation's
root fields and agency arguments, those of the fragments it spreads included: a document
holding a query an auditor may run and a mutation it may not runs the query when asked for
it (GraphQL executes only the selected operation), rather than being refused for the other.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql.validation.rules.overlapping_fields_can_be_merged import MAX_COMPLEXITY_BUDGET
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    ValidationContext,
    ValidationRule,
    parse,
    validate,
)
from services.gateway.execution.agency_scope import SCOPED_FIELDS, ScopedArgument, agency_errors
from services.gateway.execution.batch_costs import BATCH_FIELDS, BatchArgument, batch_errors
from services.gateway.execution.empty_selections import EmptySelections
from services.gateway.execution.permissions import Definition, RootField, role_errors
from services.gateway.execution.read_arguments import (
    VariableArgument,
    read_arguments,
    variable_errors,
)
from services.platform.security.access import agencies_in_view
from services.platform.security.auth import Principal
from services.platform.weighed_cache import WeighedCache

# Distinct documents kept: real clients send a few dozen; a flood of unique ones only
# pushes out the oldest.
DOCUMENTS = 1024
# What each cache (the parsed documents, their facts) may keep alive: some 500 documents as
# clients write them (30–85 KB each, parsed and checked), or four of the largest the limits let
# through (10,000 tokens, about 7 MB).
DOCUMENT_BYTES = 32_000_000
# What a document keeps alive, measured (tests/unit/test_document_weight.py): per token,
# comments included, its token, node and location objects, 350–1,050 bytes; its text, and the
# values of its tokens (a comment's or a string's a copy of its text); its facts' own objects.
_TOKEN_BYTES = 800
_FIXED_BYTES = 16_000


def document_weight(text: str, document: DocumentNode) -> int:
    """About the bytes `document` (parsed from `text`) and its facts keep alive, no fewer."""
    tokens = 0
    token = document.loc.start_token if document.loc is not None else None
    while token is not None:  # the lexer links every token it read, comments included
        tokens += 1
        token = token.next
    return _FIXED_BYTES + 2 * sys.getsizeof(text) + _TOKEN_BYTES * tokens


# graphql-core gives up on a document too costly to validate with a bare "Validation
# aborted.", far under the documented limits (10,000 tokens and selections) and naming none:
# when its check that the fields of one name at one level can be merged, which compares them
# pair by pair, spends its budget (some 700 repeats of one field), or when the interpreter's
# recursion limit stops its walk of fragments spread within fragments (a chain some 150
# deep). It cannot tell which, so the answer names both, with how to stay under each. The
# budget is not raised to the documented limits: the comparisons grow with the square of the
# repeats (2,000 repeats of `today` took 0.6 s to validate, 5,000 took 3.5 s; 10,000 would
# take some 14 s of the API's CPU per distinct document).
_ABORTED = "Validation aborted."
_TOO_COSTLY = (
    "Validation aborted: the document is too costly to check. Either it repeats fields of one"
    f" name at one level too often (each pair is compared, within {MAX_COMPLEXITY_BUDGET:,}"
    f" comparisons: about {math.isqrt(MAX_COMPLEXITY_BUDGET) // 100 * 100:,} repeats of one"
    " field; select each field once per level, its repeats answer the same), or it nests"
    " fragments too deeply (a chain of fragments each spreading the next, past some 150:"
    " spread them side by side)."
)


def _said(error: GraphQLError) -> GraphQLError:
    """`error`, or for graphql-core's bare abort, what was too costly and how to stay under."""
    if isinstance(error, ValidationAbortedError) and error.message == _ABORTED:
        return ValidationAbortedError(_TOO_COSTLY)
    return error


@dataclass(frozen=True)
class DocumentFacts:
    """What validation found in a document, whoever sends it."""

    document: DocumentNode
    weight: int  # document_weight's
    errors: tuple[GraphQLError, ...]
    roots: tuple[RootField, ...]
    scoped: tuple[tuple[Definition, ScopedArgument], ...]
    read_variables: tuple[VariableArgument, ...]
    batches: tuple[BatchArgument, ...]
    # Each operation, by name (None: anonymous), and the definitions it runs: itself and the
    # fragments it spreads, however deep.
    operations: Mapping[str | None, frozenset[Definition]]

    def _runs(self, operation_name: str | None) -> frozenset[Definition] | None:
        """The definitions of the operation a request names (or the only one); None when no
        operation is told apart (several and no name, or a name none has: the request is
        refused for that before it runs), and then every definition is judged."""
        if operation_name in self.operations:
            return self.operations[operation_name]
        if operation_name is None and len(self.operations) == 1:
            return next(iter(self.operations.values()))
        return None

    def caller_errors(
        self,
        principal: Principal | None,
        variables: Mapping[str, Any],
        operation_name: str | None = None,
    ) -> list[GraphQLError]:
        """The document's errors, then the request's: its read arguments' variables given text
        no read can match, more batch items than a request may give (batch_costs.py); then
        the caller's, for the operation it runs (`operation_name`): root fields its role may
        not use, agencies not its own (the request's `variables`, the operation's defaults)."""
        runs = self._runs(operation_name)
        errors = [
            *self.errors,
            *variable_errors(self.read_variables, variables),
            *batch_errors(self.batches, variables),
            *role_errors(
                principal, (r for r in self.roots if runs is None or r.definition in runs)
            ),
        ]
        agencies = agencies_in_view(principal)
        if agencies is not None:
            scoped = [s for where, s in self.scoped if runs is None or where in runs]
            errors += agency_errors(agencies, scoped, variables)
        return errors


def _facts(
    schema: GraphQLSchema,
    text: str,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
) -> DocumentFacts:
    # strawberry's own rules but its @oneOf one: graphql-core's checks those inputs
    # (one_of_inputs.py), and both told the same mistake twice; and ours (empty_selections.py).
    errors = tuple(
        _said(error)
        for error in validate(schema, document, (*rules, MaybeNullValidationRule, EmptySelections))
    )
    roots: list[RootField] = []
    scoped: list[tuple[Definition, ScopedArgument]] = []
    batches: list[BatchArgument] = []
    operations: dict[str | None, frozenset[Definition]] = {}

    class Collect(ValidationRule):
        """Notes the root fields and the agency arguments of scoped fields, each with the
        definition it is written in, the batch fields, and which definitions each operation
        runs."""

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            roots = {
                "query": schema.query_type,
                "mutation": schema.mutation_type,
                "subscription": schema.subscription_type,
            }
            self.kinds = {root.name: kind for kind, root in roots.items() if root is not None}
            self.defaults: dict[str, Any] = {}
            self.definition: Definition = ("operation", None)

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            self.defaults = {
                d.variable.name.value: d.default_value for d in node.variable_definitions or ()
            }
            name = node.name.value if node.name else None
            self.definition = ("operation", name)
            spread = self.context.get_recursively_referenced_fragments(node)
            operations[name] = frozenset(
                {self.definition, *(("fragment", f.name.value) for f in spread)}
            )

        def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: Any) -> None:
            self.definition = ("fragment", node.name.value)

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = self.context.get_parent_type()
            if parent is None:
                return
            kind = self.kinds.get(parent.name)
            if kind is not None:
                roots.append(RootField(kind, node.name.value, node, self.definition))
            if (parent.name, node.name.value) in SCOPED_FIELDS:
                scoped.extend(
                    (self.definition, ScopedArgument(argument, self.defaults))
                    for argument in node.arguments or ()
                    if argument.name.value == "agency"
                )
            batch = BATCH_FIELDS.get((parent.name, node.name.value))
            if batch is not None:
                names, budget = batch
                given = {a.name.value: a.value for a in node.arguments or ()}
                values = tuple(given.get(name) for name in names)
                batches.append(BatchArgument(node, budget, values, self.defaults))

    validate(schema, document, [Collect])
    unstorable, read_variables = read_arguments(schema, document) if not errors else ((), ())
    return DocumentFacts(
        document,
        document_weight(text, document),
        errors + unstorable,
        tuple(roots),
        tuple(scoped),
        read_variables,
        tuple(batches),
        operations,
    )


class DocumentChecks:
    """The parses and facts of the documents seen lately, per schema (one per API process)."""

    def __init__(
        self,
        rules: Sequence[type[ASTValidationRule]],
        size: int = DOCUMENTS,
        budget: int = DOCUMENT_BYTES,
    ) -> None:
        self.rules = tuple(rules)  # the limits' rules, run with the standard ones
        self._parsed: WeighedCache[tuple[str, tuple[tuple[str, Any], ...]], DocumentNode]
        self._parsed = WeighedCache(size, budget)
        self._known: WeighedCache[tuple[str, tuple[type[ASTValidationRule], ...]], DocumentFacts]
        self._known = WeighedCache(size, budget)

    def parse(self, text: str, options: Mapping[str, Any]) -> DocumentNode:
        """`text` parsed with graphql-core's `options` (the token limit), once while kept."""
        key = (text, tuple(sorted(options.items())))
        found = self._parsed.get(key)
        if found is None:
            found = parse(text, **options)
            self._parsed.put(key, found, document_weight(text, found))
        return found

    def facts(
        self,
        schema: GraphQLSchema,
        text: str,
        document: DocumentNode,
        rules: tuple[type[ASTValidationRule], ...],
    ) -> DocumentFacts:
        key = (text, rules)
        found = self._known.get(key)
        if found is None:
            found = _facts(schema, text, document, (*rules, *self.rules))
            self._known.put(key, found, found.weight)
        return found

    def known(self, text: str, rules: tuple[type[ASTValidationRule], ...]) -> DocumentFacts | None:
        """The facts of `text` if it was validated with `rules` lately; nothing is worked out."""
        return self._known.get((text, rules))

    def extension(self) -> SchemaExtension:
        """The per-request extension strawberry asks for (a factory's product)."""
        return _CheckDocument(self)


class _CheckDocument(SchemaExtension):
    def __init__(self, checks: DocumentChecks) -> None:
        super().__init__()
        self.checks = checks

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None:  # else strawberry says no query was given
            context.graphql_document = self.checks.parse(context.query, context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document, text = context.graphql_document, context.query
        if document is None or text is None:  # strawberry validates what it parsed itself
            yield
            return
        try:
            facts = self.checks.facts(
                context.schema._schema, text, document, tuple(context.validation_rules)
            )
        except Exception as fault:  # a rule's fault, never the client's
            # Raised out of this hook, strawberry answered it after the masking had run: the
            # client read Python's words ("max() arg is an empty sequence"), with no code, and
            # nothing was logged. As a validation error with its cause it is masked with an id
            # and logged with its traceback (errors.InternalErrorIds), as any fault of ours.
            context.pre_execution_errors = [GraphQLError(str(fault), original_error=fault)]
            yield
            return
        principal = getattr(context.context, "principal", None)
        errors = facts.caller_errors(principal, context.variables or {}, context.operation_name)
        # Set, validation is done: strawberry runs its own only while this is None.
        context.pre_execution_errors = errors
        yield
