"""Python names to GraphQL names, each worked out once.

strawberry converts every argument's Python name to its GraphQL name again on every call of
a field (`convert_arguments` → `NameConverter.from_argument` → `to_camel_case`): for a
`bidEligibility` check, seven arguments, about a twelfth of the API process's CPU for the
request. A name's GraphQL form never changes, so it is kept after its first conversion.
"""

from __future__ import annotations

from strawberry.schema.name_converter import NameConverter


class RememberedNames(NameConverter):
    """strawberry's naming (camel case), remembered per Python name."""

    def __init__(self) -> None:
        super().__init__(auto_camel_case=True)
        self._converted: dict[str, str] = {}

    def apply_naming_config(self, name: str) -> str:
        converted = self._converted.get(name)
        if converted is None:
            converted = self._converted[name] = super().apply_naming_config(name)
        return converted
