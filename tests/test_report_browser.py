"""The page of the demo's releases in a real headless Chromium, with no network: the
screenshot has the window's size and is no blank page (text, and the badges' colours),
and the DOM Chromium built holds the versions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from headless_browser import chromium, read_png

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Cli

pytestmark = pytest.mark.integration

WIDTH, HEIGHT = 1100, 800
GREEN, YELLOW = (0xDA, 0xFB, 0xE1), (0xFF, 0xF8, 0xC5)  # the good and warn badges' fills


@pytest.mark.slow
def test_the_demos_releases_render_in_chromium(cli: Cli, tmp_path: Path) -> None:
    browser = chromium()  # before the demo: a machine without one skips at once
    demo = cli("demo", "--workdir", str(tmp_path / "demo"))
    assert demo.code == 0, demo.out + demo.err
    page = tmp_path / "releases.html"
    made = cli("-C", str(tmp_path / "demo/sample/work"), "report", "--output", str(page))
    assert made.code == 0, made.err

    shot = tmp_path / "shot.png"
    size = f"--window-size={WIDTH},{HEIGHT}"
    taken = browser.run(size, f"--screenshot={shot}", page.as_uri(), profile=tmp_path / "p1")
    assert shot.is_file(), taken.stderr
    image = read_png(shot.read_bytes())
    assert (image.width, image.height) == (WIDTH, HEIGHT)
    colours = image.colours()
    background, count = colours.most_common(1)[0]
    assert background == (255, 255, 255)
    assert len(image.pixels) - count > len(image.pixels) // 50  # not blank: text, tables
    assert len(colours) > 50  # anti-aliased text in several colours
    assert colours[GREEN] > 100  # "dry run passed", "verified": the CSS applied
    assert colours[YELLOW] > 100  # the hotfix and the rollback

    dom = browser.run("--dump-dom", page.as_uri(), profile=tmp_path / "p2")
    assert dom.returncode == 0, dom.stderr
    assert "<h1>Releases of demo-pkg</h1>" in dom.stdout
    for text in ('class="version">0.2.0<', 'class="version">0.2.1<', "dry run passed"):
        assert text in dom.stdout
    assert "verified" in dom.stdout
