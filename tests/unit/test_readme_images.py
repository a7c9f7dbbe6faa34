"""README's images: each one it shows is in the repository with words for those who cannot see
it, and each console screenshot (made by scripts/console-screenshots) is shown, at the size
the script makes, small enough to keep in git."""

from __future__ import annotations

import re
import struct
from pathlib import Path

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"
SCREENSHOTS = ROOT / "services" / "console" / "screenshots"
# Markdown images: ![alt](path "optional title").
IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<path>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SIZE = (1280, 800)
MOST_BYTES = 150_000


def readme_images() -> dict[str, str]:
    """Each image README shows: its path → its alt text."""
    return {m["path"]: m["alt"] for m in IMAGE.finditer(README.read_text(encoding="utf-8"))}


def test_every_image_readme_shows_is_in_the_repository_with_alt_text() -> None:
    images = readme_images()
    assert images, "README shows no image"
    for path, alt in images.items():
        assert not re.match(r"[a-z]+:", path), f"{path}: README's images are files of the clone"
        assert (ROOT / path).is_file(), f"README shows {path}, which is not in the repository"
        assert alt.strip(), f"README shows {path} without alt text"


def test_every_console_screenshot_is_shown_by_readme() -> None:
    made = {f"services/console/screenshots/{png.name}" for png in SCREENSHOTS.glob("*.png")}
    assert made, f"no screenshot in {SCREENSHOTS} (scripts/console-screenshots makes them)"
    assert made - readme_images().keys() == set()


def test_each_screenshot_is_a_small_png_of_1280_by_800() -> None:
    for png in sorted(SCREENSHOTS.glob("*.png")):
        data = png.read_bytes()
        assert data.startswith(PNG_SIGNATURE), f"{png.name} is not a PNG"
        # The IHDR chunk comes first: its width and height, big-endian, after its length/type.
        assert struct.unpack(">II", data[16:24]) == SIZE, png.name
        assert len(data) <= MOST_BYTES, f"{png.name}: {len(data)} bytes"
