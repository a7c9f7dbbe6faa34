"""README's images, and its guides' (a README next to the code each describes): each one they
show is in the repository with words for those who cannot see it, and each console screenshot
(made by scripts/console-screenshots) is shown by README and by the console's guide, at the
size the script makes, small enough to keep in git."""

from __future__ import annotations

import re
import struct
from pathlib import Path

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"
CONSOLE_GUIDE = ROOT / "services" / "console" / "README.md"
# README's guides: services/<service>/README.md and the benchmarks' (README's "Guides").
GUIDES = [*sorted((ROOT / "services").glob("*/README.md")), ROOT / "tests/benchmarks/README.md"]
SCREENSHOTS = ROOT / "services" / "console" / "screenshots"
# Markdown images: ![alt](path "optional title").
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<path>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SIZE = (1280, 800)
MOST_BYTES = 150_000


def readme_images(document: Path = README) -> dict[str, str]:
    """Each image a document shows: its path (relative to the document's folder) → its alt."""
    text = document.read_text(encoding="utf-8")
    return {m["path"]: m["alt"] for m in IMAGE.finditer(text)}


def shown_from_the_root(document: Path) -> set[str]:
    """The repository paths of the images a document shows."""
    folder = document.parent
    return {
        (folder / path).resolve().relative_to(ROOT.resolve()).as_posix()
        for path in readme_images(document)
    }


def test_every_image_readme_shows_is_in_the_repository_with_alt_text() -> None:
    assert readme_images(), "README shows no image"
    assert all(guide.is_file() for guide in GUIDES)
    for document in [README, *GUIDES]:
        name = document.relative_to(ROOT)
        for path, alt in readme_images(document).items():
            assert not re.match(r"[a-z]+:", path), f"{name}: {path}: images are files of the clone"
            shown = document.parent / path
            assert shown.is_file(), f"{name} shows {path}, which is not in the repository"
            assert alt.strip(), f"{name} shows {path} without alt text"


def test_every_console_screenshot_is_shown_by_readme_and_the_console_guide() -> None:
    made = {f"services/console/screenshots/{png.name}" for png in SCREENSHOTS.glob("*.png")}
    assert made, f"no screenshot in {SCREENSHOTS} (scripts/console-screenshots makes them)"
    assert made - shown_from_the_root(README) == set()
    assert made - shown_from_the_root(CONSOLE_GUIDE) == set()


def test_each_screenshot_is_a_small_png_of_1280_by_800() -> None:
    for png in sorted(SCREENSHOTS.glob("*.png")):
        data = png.read_bytes()
        assert data.startswith(PNG_SIGNATURE), f"{png.name} is not a PNG"
        # The IHDR chunk comes first: its width and height, big-endian, after its length/type.
        assert struct.unpack(">II", data[16:24]) == SIZE, png.name
        assert len(data) <= MOST_BYTES, f"{png.name}: {len(data)} bytes"
