"""The check of an event's free-text fields (every name, title, agency, category, identifier,
reason, note, the envelope's `source`), pure: a text made only of invisible characters is
refused as blank, a control character in a one-line text ("evil\\r\\nX-Injected: 1") or a
stray one in a text of several lines as `control_character`, and an invisible format
character (a bidi override, "Good\\u202eKK") as `format_character`, at the field, with the
rules of `text_characters.py`. These texts are shown in headers, CSV rows, logs, exports and
the console's lists, where such characters make the value say what was never recorded, or
nothing (a security tester's and an API tester's findings).

The fields are found by the form their type declares (`TextForm`, `base.ShortText` and the
others), through lists and nested models alike, so a field added to the contract is checked
without being listed here. Who recorded the event (`recorded_by`) is the API's, not the
caller's, and is not checked.

Every entrance asks it of what it takes in: the API's receipt (one of
`RequestContext.checks`) and ingest of a producer's event (`ingest/admission.py`: `publish`,
Kafka's raw entrance, the importers' events). It is no rule of the event models nor of the
registry: the events stored before must keep being read and judged as they were (a rebuild
reads the store, not the entrances), so the contract stays as it was and only what is taken
in from now on is held to this.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import BaseModel

from services.events.base import EventEnvelope
from services.events.catalog import Problem
from services.events.text_characters import TextForm, text_problem

# Set by the API from the caller's token: nothing the caller wrote.
_NOT_THE_CALLERS = frozenset({"recorded_by"})


def text_check(event: EventEnvelope) -> Problem | None:
    """The first free text of the event holding what `text_problem` refuses, if any."""
    for path, text, form in _texts(event, ""):
        if (problem := text_problem(text, form)) is not None:
            return Problem(path, problem.message, problem.code)
    return None


def _texts(model: BaseModel, prefix: str) -> Iterator[tuple[str, str, TextForm]]:
    """Each free text of `model` (and of the models and lists in it), with its path and form."""
    for name, form in _holding_texts(type(model)):
        yield from _within(getattr(model, name), f"{prefix}{name}", form)


@functools.cache
def _holding_texts(model: type[BaseModel]) -> tuple[tuple[str, TextForm | None], ...]:
    """The fields of `model` that may hold a free text: of a text form, or of a type that may
    hold a model (a payload, a list of identifiers), with the form; the others (days, amounts,
    enumerations) are not looked at (ingest asks this of every producer's event)."""
    forms = _forms(model)
    return tuple(
        (name, forms.get(name))
        for name, info in model.model_fields.items()
        if name not in _NOT_THE_CALLERS and (name in forms or _may_hold_model(info.annotation))
    )


def _may_hold_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_may_hold_model(argument) for argument in typing.get_args(annotation))


def _within(value: object, path: str, form: TextForm | None) -> Iterator[tuple[str, str, TextForm]]:
    if isinstance(value, BaseModel):
        yield from _texts(value, f"{path}.")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _within(item, f"{path}.{n}", form)
    elif isinstance(value, str) and form is not None:
        yield path, value, form


@functools.cache
def _forms(model: type[BaseModel]) -> dict[str, TextForm]:
    """The form of each free-text field of `model` (alone, optional, or listed)."""
    found: dict[str, TextForm] = {}
    for name, info in model.model_fields.items():
        form = _form_in(info.metadata) or _form_of(info.annotation)
        if form is not None:
            found[name] = form
    return found


def _form_of(annotation: Any) -> TextForm | None:
    if typing.get_origin(annotation) is Annotated:
        return _form_in(annotation.__metadata__)
    for argument in typing.get_args(annotation):
        if (form := _form_of(argument)) is not None:
            return form
    return None


def _form_in(metadata: typing.Iterable[object]) -> TextForm | None:
    return next((item for item in metadata if isinstance(item, TextForm)), None)
