"""The checked-in JSON Schemas (schemas/events/) match the models they are generated from."""

from __future__ import annotations

import json
import pathlib

from services.events.catalog import EVENT_TYPES
from services.events.json_schema import event_schemas, export_event_schemas, render

CHECKED_IN = pathlib.Path(__file__).resolve().parents[2] / "schemas" / "events"
FIX = "run `vendorwatch schemas export` and commit schemas/events/"


def test_checked_in_schemas_match_a_fresh_export(tmp_path: pathlib.Path) -> None:
    written = export_event_schemas(tmp_path)
    fresh = {path.name: path.read_bytes() for path in written}
    checked_in = {path.name: path.read_bytes() for path in CHECKED_IN.glob("*.json")}
    missing = sorted(set(fresh) - set(checked_in))
    stale = sorted(set(checked_in) - set(fresh))
    changed = sorted(n for n in set(fresh) & set(checked_in) if fresh[n] != checked_in[n])
    assert not (missing or stale or changed), (
        f"schemas/events/ is out of date (missing {missing}, stale {stale}, "
        f"changed {changed}): {FIX}"
    )


def test_export_writes_one_file_per_event_type_and_removes_stale_ones(
    tmp_path: pathlib.Path,
) -> None:
    (tmp_path / "sanction.forgiven.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("kept\n", encoding="utf-8")
    written = export_event_schemas(tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{t}.json" for t in EVENT_TYPES)
    assert sorted(p.name for p in tmp_path.glob("*.json")) == sorted(p.name for p in written)
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "kept\n"


def test_schemas_are_identified_and_describe_the_typed_envelope() -> None:
    for event_type, schema in event_schemas().items():
        assert schema["$id"] == f"https://vendorwatch.example/schemas/events/{event_type}.json"
        assert schema["title"] == event_type
        assert schema["additionalProperties"] is False
        assert schema["properties"]["event_type"]["const"] == event_type
        assert schema["properties"]["schema_version"]["const"] == 1
        payload = schema["$defs"][schema["properties"]["payload"]["$ref"].rsplit("/", 1)[1]]
        assert payload["additionalProperties"] is False


def test_render_is_stable_sorted_and_keeps_non_ascii() -> None:
    text = render({"b": "入札", "a": 1})
    assert text == '{\n  "a": 1,\n  "b": "入札"\n}\n'
    assert json.loads(text) == {"a": 1, "b": "入札"}


def test_readme_documents_every_event_type() -> None:
    readme = (CHECKED_IN / "README.md").read_text(encoding="utf-8")
    undocumented = [t for t in EVENT_TYPES if f"`{t}`" not in readme]
    assert not undocumented, f"schemas/events/README.md does not mention {undocumented}"
