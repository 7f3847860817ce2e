"""Replacing files atomically: the target changes whole or not at all."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from seedtui.log.atomic_file import atomic_binary_writer, write_text_atomically


def test_write_replaces_the_whole_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "state.json"
    write_text_atomically(target, "first")
    write_text_atomically(target, "second, longer", fsync=True)
    assert target.read_text() == "second, longer"
    assert sorted(p.name for p in target.parent.iterdir()) == ["state.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "checkpoint.pt"
    write_text_atomically(target, "old")
    with pytest.raises(RuntimeError), atomic_binary_writer(target) as handle:
        handle.write(b"half of the new")
        raise RuntimeError("killed mid-save")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]


def test_permissions_follow_the_umask_not_owner_only(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        write_text_atomically(tmp_path / "sweep.toml", "x = 1\n")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "sweep.toml").stat().st_mode) == 0o644
