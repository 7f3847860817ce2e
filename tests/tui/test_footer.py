"""The footer keeps to one line by leaving keys out whole: no key is cut mid-word at 80 to 100
columns (issue 12: Textual's footer cut 'Play/pause' to 'Pla' at 80 columns)."""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from seedtui.tui.widgets.footer import FittedFooter, keys_that_fit
from tests.tui.conftest import ReplayAppFactory, screen_text, settle


@pytest.mark.anyio
@pytest.mark.parametrize("width", [80, 90, 100, 120, 200])
async def test_every_footer_key_shows_whole(replay_app: ReplayAppFactory, width: int) -> None:
    app = replay_app()
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(app, pilot)
        footer_line = screen_text(app).splitlines()[-1]
        keys = [key for key in app.query_one(FittedFooter).query(FooterKey)
                if not key.has_class("-command-palette")]
        assert keys, "the footer shows no key"
        for key in keys:
            assert f"{key.key_display} {key.description}" in footer_line, (key.description, footer_line)
        shown = {key.action for key in keys}
        assert {"help", "quit_app"} <= shown  # help lists the keys left out
        if width >= 200:
            assert {"play_pause", "step", "faster", "slower", "jump_end", "kill_diverged"} <= shown
        else:
            assert "play_pause" in shown


def test_keys_that_fit_leaves_out_the_least_needed_first() -> None:
    keys = [FooterKey(key, key, description, action) for key, description, action in (
        ("?", "Help", "help"), ("q", "Quit", "quit_app"), ("-", "Slower", "slower"),
        ("p", "Pause queue", "toggle_queue"))]
    widths = [7, 7, 9, 14]  # the key, a space, the description, a margin
    assert keys_that_fit(keys, sum(widths)) == keys
    # 'slower' goes first, then the queue key; without that one 'slower' fits again
    assert [k.action for k in keys_that_fit(keys, 25)] == ["help", "quit_app", "slower"]
    assert [k.action for k in keys_that_fit(keys, 14)] == ["help", "quit_app"]
