"""Docs that cannot drift: every command, setting and exit code is in the README."""
from __future__ import annotations

import click

from kg.cli import EXIT_CODES, main
from kg.config import SETTINGS

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "kg") -> list[str]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        full = f"{prefix} {name}"
        out.append(full)
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, full))
    return out


def test_every_command_is_documented() -> None:
    missing = [c for c in _commands(main) if f"`{c}" not in README]
    assert not missing, f"README does not document: {missing}"


def test_every_setting_is_documented() -> None:
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in README]
    assert not missing


def test_every_exit_code_is_documented() -> None:
    for code in EXIT_CODES:
        assert f"| {code} |" in README


def test_every_option_is_documented() -> None:
    missing = []
    for name in _commands(main):
        cmd = main
        for part in name.split()[1:]:
            cmd = cmd.commands[part]
        for param in cmd.params:
            if isinstance(param, click.Option):
                longest = max(param.opts, key=len)
                if longest not in README:
                    missing.append(f"{name} {longest}")
    assert not missing, f"README does not mention these options: {missing}"
