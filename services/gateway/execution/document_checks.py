"""Each distinct GraphQL document parsed and validated once; the caller checked per request.

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

from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
    validate,
)
from services.gateway.execution.agency_scope import SCOPED_FIELDS, ScopedArgument, agency_errors
from services.gateway.execution.empty_selections import EmptySelections
from services.gateway.execution.permissions import Definition, RootField, role_errors
from services.gateway.execution.read_arguments import (
    VariableArgument,
    read_arguments,
    variable_errors,
)
from services.platform.security.access import agencies_in_view
from services.platform.security.auth import Principal

# Distinct documents kept: real clients send a few dozen; a flood of unique ones only
# pushes out the oldest.
DOCUMENTS = 1024


@dataclass(frozen=True)
class DocumentFacts:
    """What validation found in a document, whoever sends it."""

    document: DocumentNode
    errors: tuple[GraphQLError, ...]
    roots: tuple[RootField, ...]
    scoped: tuple[tuple[Definition, ScopedArgument], ...]
    read_variables: tuple[VariableArgument, ...]
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
        no read can match; then the caller's, for the operation it runs (`operation_name`):
        root fields its role may not use, agencies not its own (the request's `variables`,
        the operation's defaults)."""
        runs = self._runs(operation_name)
        errors = [
            *self.errors,
            *variable_errors(self.read_variables, variables),
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
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[type[ASTValidationRule], ...]
) -> DocumentFacts:
    # strawberry's own rules but its @oneOf one: graphql-core's checks those inputs
    # (one_of_inputs.py), and both told the same mistake twice; and ours (empty_selections.py).
    errors = tuple(validate(schema, document, (*rules, MaybeNullValidationRule, EmptySelections)))
    roots: list[RootField] = []
    scoped: list[tuple[Definition, ScopedArgument]] = []
    operations: dict[str | None, frozenset[Definition]] = {}

    class Collect(ValidationRule):
        """Notes the root fields and the agency arguments of scoped fields, each with the
        definition it is written in, and which definitions each operation runs."""

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

    validate(schema, document, [Collect])
    unstorable, read_variables = read_arguments(schema, document) if not errors else ((), ())
    return DocumentFacts(
        document, errors + unstorable, tuple(roots), tuple(scoped), read_variables, operations
    )


class DocumentChecks:
    """The facts of the documents seen lately, per schema (one per API process)."""

    def __init__(self, rules: Sequence[type[ASTValidationRule]], size: int = DOCUMENTS) -> None:
        self.rules = tuple(rules)  # the limits' rules, run with the standard ones
        self._size = size
        self._known: OrderedDict[tuple[str, tuple[type[ASTValidationRule], ...]], DocumentFacts]
        self._known = OrderedDict()

    def facts(
        self,
        schema: GraphQLSchema,
        text: str,
        document: DocumentNode,
        rules: tuple[type[ASTValidationRule], ...],
    ) -> DocumentFacts:
        key = (text, rules)
        found = self._known.get(key)
        if found is not None:
            self._known.move_to_end(key)
            return found
        found = self._known[key] = _facts(schema, document, (*rules, *self.rules))
        if len(self._known) > self._size:
            self._known.popitem(last=False)
        return found

    def known(self, text: str, rules: tuple[type[ASTValidationRule], ...]) -> DocumentFacts | None:
        """The facts of `text` if it was validated with `rules` lately; nothing is worked out."""
        found = self._known.get((text, rules))
        if found is not None:
            self._known.move_to_end((text, rules))
        return found

    def extension(self) -> SchemaExtension:
        """The per-request extension strawberry asks for (a factory's product)."""
        return _CheckDocument(self)


class _CheckDocument(SchemaExtension):
    def __init__(self, checks: DocumentChecks) -> None:
        super().__init__()
        self.checks = checks

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
