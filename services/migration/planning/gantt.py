"""A plan as a Gantt chart (SVG): how long each system stays with the suspended vendor.

Built with ElementTree so that every title and reason is escaped by the library, never by hand.
Coordinates are whole pixels and elements are added in a fixed order, so the same snapshot
always gives the same bytes (charts are stored and compared between plan versions).
"""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Mapping

from services.events.contract import Criticality
from services.migration.planning.export_csv import PlanRow, plan_rows
from services.migration.planning.model import Assignment, PlanItem, PlanSettings, PlanSnapshot
from services.migration.planning.outcome_words import has_schedule, status_text, why_no_schedule
from services.migration.planning.phases import phase_end, phase_label, phase_start

SVG_NS = "http://www.w3.org/2000/svg"

# (colour, legend label); Okabe-Ito colours stay distinct for colour-blind readers.
CRITICALITY_STYLE: Mapping[Criticality, tuple[str, str]] = {
    Criticality.RESIDENT_FACING: ("#D55E00", "resident-facing"),
    Criticality.LEGALLY_MANDATED: ("#0072B2", "legally mandated"),
    Criticality.INTERNAL: ("#009E73", "internal"),
}
DONE_FILL = "url(#done)"
BLACKOUT_FILL = "#E4E4E4"
MARKER_COLOUR = "#222222"
MUTED = "#888888"
NO_SCHEDULE = "no schedule: "

MARGIN = 12
FONT_SIZE = 12
CELL_PX = 7  # rough width of one narrow character at FONT_SIZE; wide (CJK) ones take two
LINE_PX = 18
ROW_PX = 22
BAR_PX = 12
MIN_COLUMN_PX = 48
MAX_TITLE_CELLS = 32
LEGEND_SWATCH_PX = 12

Attrs = Mapping[str, str | int]


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _text_px(text: str) -> int:
    # No font metrics without a renderer: an estimate, erring wide so that text is not clipped.
    return _cells(text) * CELL_PX


def _truncate(text: str, max_cells: int) -> str:
    if _cells(text) <= max_cells:
        return text
    kept, used = "", 0
    for char in text:
        used += _cells(char)
        if used > max_cells - 1:
            break
        kept += char
    return kept + "…"


def _add(parent: ET.Element, tag: str, attrs: Attrs, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag, {name: str(value) for name, value in attrs.items()})
    element.text = text
    return element


def _is_done(snapshot: PlanSnapshot, row: PlanRow) -> bool:
    return (
        snapshot.statuses.get(row.item.contract_id) == "done" or row.item.done_in_phase is not None
    )


def _blackout_reasons(settings: PlanSettings, phase: int) -> tuple[str, ...]:
    start, end = phase_start(settings, phase), phase_end(settings, phase)
    return tuple(b.reason for b in settings.blackouts if b.starts_on <= end and b.ends_on >= start)


def _bar_tooltip(snapshot: PlanSnapshot, item: PlanItem, assignment: Assignment) -> str:
    settings = snapshot.problem.settings
    lines = [
        f"{item.contract_id} {item.title}: cut over in {phase_label(settings, assignment.phase)}"
        f" (contract ends {item.ends_on.isoformat()},"
        f" natural phase {phase_label(settings, assignment.natural_phase)}),"
        f" status {snapshot.statuses.get(item.contract_id, 'unset')}"
    ]
    if assignment.reasons:
        lines.append("reasons: " + "; ".join(assignment.reasons))
    blockers = snapshot.blockers.get(item.contract_id, ())
    if blockers:
        lines.append("blockers: " + "; ".join(blockers))
    return "\n".join(lines)


def _legend(parent: ET.Element, y: int) -> int:
    """Draws the legend on the line whose text baseline is `y`; returns its width."""
    x = MARGIN
    top = y - LEGEND_SWATCH_PX + 2
    entries: list[tuple[Attrs, str]] = [
        ({"fill": colour}, label) for colour, label in CRITICALITY_STYLE.values()
    ]
    entries += [
        ({"fill": DONE_FILL, "stroke": MUTED}, "done"),
        ({"fill": BLACKOUT_FILL}, "blackout"),
    ]
    for style, label in entries:
        swatch = {"x": x, "y": top, "width": LEGEND_SWATCH_PX, "height": LEGEND_SWATCH_PX}
        _add(parent, "rect", {**swatch, **style})
        x += LEGEND_SWATCH_PX + 4
        _add(parent, "text", {"x": x, "y": y}, label)
        x += _text_px(label) + 12
    half = LEGEND_SWATCH_PX // 2
    _add(parent, "polygon", {"points": _diamond(x + half, top + half), "fill": MARKER_COLOUR})
    x += LEGEND_SWATCH_PX + 4
    _add(parent, "text", {"x": x, "y": y}, "cut-over")
    x += _text_px("cut-over") + 12
    _add(parent, "line", _natural_line(x + half, top, top + LEGEND_SWATCH_PX))
    x += LEGEND_SWATCH_PX + 4
    _add(parent, "text", {"x": x, "y": y}, "natural end of contract")
    return x + _text_px("natural end of contract") - MARGIN


def _diamond(cx: int, cy: int) -> str:
    r = BAR_PX // 2 + 1
    return f"{cx},{cy - r} {cx + r},{cy} {cx},{cy + r} {cx - r},{cy}"


def _natural_line(x: int, y1: int, y2: int) -> Attrs:
    return {"x1": x, "y1": y1, "x2": x, "y2": y2, "stroke": MARKER_COLOUR, "stroke-width": 2}


def _hatch_pattern(svg: ET.Element) -> None:
    defs = _add(svg, "defs", {})
    hatch: Attrs = {"id": "done", "width": 6, "height": 6, "patternUnits": "userSpaceOnUse"}
    pattern = _add(defs, "pattern", {**hatch, "patternTransform": "rotate(45)"})
    _add(pattern, "rect", {"width": 6, "height": 6, "fill": "#D9D9D9"})
    _add(pattern, "line", {"x1": 0, "y1": 0, "x2": 0, "y2": 6, "stroke": MUTED, "stroke-width": 3})


def _columns(
    svg: ET.Element,
    settings: PlanSettings,
    labels: list[str],
    x0: int,
    px: int,
    y: int,
    bottom: int,
) -> None:
    """Phase columns from `x0`, `px` wide: label on line `y`, rule and blackout down to `bottom`."""
    for phase, label in enumerate(labels):
        x = x0 + phase * px
        reasons = _blackout_reasons(settings, phase)
        if reasons:
            box: Attrs = {"x": x, "y": y, "width": px, "height": bottom - y}
            shade = _add(svg, "rect", {"class": "blackout", **box, "fill": BLACKOUT_FILL})
            _add(shade, "title", {}, "blackout: " + "; ".join(reasons))
        _add(svg, "line", {"x1": x, "y1": y, "x2": x, "y2": bottom, "stroke": "#CCCCCC"})
        centre: Attrs = {"x": x + px // 2, "y": y + FONT_SIZE, "text-anchor": "middle"}
        _add(svg, "text", centre, label)


def _row(
    svg: ET.Element, snapshot: PlanSnapshot, row: PlanRow, label: str, top: int, x0: int, px: int
) -> None:
    """One item on the band starting at `top`; its bar starts at `x0`, phase columns `px` wide."""
    middle = top + ROW_PX // 2
    done = _is_done(snapshot, row)
    group = _add(svg, "g", {"class": "row", "data-contract-id": row.item.contract_id})
    text_style: Attrs = {"fill": MUTED} if done else {}
    _add(group, "text", {"x": MARGIN, "y": middle + FONT_SIZE // 3, **text_style}, label)
    if row.assignment is None:
        return
    colour = CRITICALITY_STYLE[row.item.criticality][0]
    cut_x = x0 + row.assignment.phase * px + px // 2
    bar = _add(group, "g", {"class": "bar"})
    _add(bar, "title", {}, _bar_tooltip(snapshot, row.item, row.assignment))
    box: Attrs = {"x": x0, "y": middle - BAR_PX // 2, "width": cut_x - x0, "height": BAR_PX}
    fill: Attrs = {"fill": DONE_FILL, "stroke": colour} if done else {"fill": colour}
    _add(bar, "rect", {**box, **fill})
    if row.assignment.natural_phase != row.assignment.phase:
        # A contract that ended before the plan starts is drawn at the start of the axis.
        natural_x = x0 + max(row.assignment.natural_phase, 0) * px + px // 2
        line = _natural_line(natural_x, top + 2, top + ROW_PX - 2)
        _add(bar, "line", {"class": "natural", **line})
    cut_over: Attrs = {"class": "cut-over", "points": _diamond(cut_x, middle)}
    _add(bar, "polygon", {**cut_over, "fill": MARKER_COLOUR, "stroke": "#FFFFFF"})


def plan_gantt_svg(snapshot: PlanSnapshot) -> str:
    settings, schedule = snapshot.problem.settings, snapshot.schedule
    rows = plan_rows(snapshot)
    used = [p for a in schedule.assignments for p in (a.phase, a.natural_phase)]
    # One spare column after the last phase used, so that a cut-over there is not on the edge.
    column_labels = [phase_label(settings, p) for p in range(max([0, *used]) + 2)]
    column_px = max(MIN_COLUMN_PX, *(_text_px(label) + 8 for label in column_labels))
    labels = [f"{r.item.contract_id} {_truncate(r.item.title, MAX_TITLE_CELLS)}" for r in rows]
    chart_x = MARGIN + max([0, *(_text_px(label) for label in labels)]) + 12
    chart_px = chart_x - MARGIN + column_px * len(column_labels)

    title = (
        f"Migration plan {snapshot.plan_id} — vendor {snapshot.vendor_id}, {snapshot.agency},"
        f" version {snapshot.version} — solver: {status_text(schedule)}"
    )
    # (indent, text): further conflicts line up under the first, after "no schedule: ".
    header = [(0, title)]
    if not has_schedule(schedule):
        first, *others = why_no_schedule(schedule)
        header.append((0, NO_SCHEDULE + first))
        header += [(_text_px(NO_SCHEDULE), line) for line in others]

    svg = ET.Element("svg", {"xmlns": SVG_NS})
    _hatch_pattern(svg)
    y = MARGIN + FONT_SIZE
    for index, (indent, line) in enumerate(header):
        style: Attrs = {"font-weight": "bold"} if index == 0 else {"fill": "#B00020"}
        _add(svg, "text", {"x": MARGIN + indent, "y": y, **style}, line)
        y += LINE_PX
    legend_px = _legend(svg, y)
    axis_y = y + LINE_PX + 6
    body_y = axis_y + LINE_PX
    bottom = body_y + ROW_PX * len(rows)
    for index in range(1, len(rows), 2):  # zebra stripes guide the eye along a long row
        stripe: Attrs = {"x": MARGIN, "y": body_y + index * ROW_PX, "height": ROW_PX}
        _add(svg, "rect", {**stripe, "width": chart_px, "fill": "#F6F6F6"})
    _columns(svg, settings, column_labels, chart_x, column_px, axis_y, bottom)
    for index, (row, label) in enumerate(zip(rows, labels, strict=True)):
        _row(svg, snapshot, row, label, body_y + index * ROW_PX, chart_x, column_px)

    width = 2 * MARGIN + max(
        chart_px, legend_px, *(indent + _text_px(line) for indent, line in header)
    )
    height = bottom + MARGIN
    size: Attrs = {
        "width": width,
        "height": height,
        "viewBox": f"0 0 {width} {height}",
        "font-family": "sans-serif",
        "font-size": FONT_SIZE,
    }
    for name, value in size.items():
        svg.set(name, str(value))
    return ET.tostring(svg, encoding="unicode")
