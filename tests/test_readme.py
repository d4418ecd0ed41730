"""The README's two set-up commands are the ones CI runs and the ones that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup_commands() -> list[str]:
    setup = ROOT.joinpath("README.md").read_text("utf-8").split("## Set-up", 1)[1]
    setup = setup.split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", setup)


def test_readme_has_exactly_two_setup_commands():
    commands = _setup_commands()
    assert len(commands) == 2
    assert commands[0].endswith("backroom --demo")
    assert commands[1].endswith("python -m pytest")


def test_ci_runs_the_readme_test_command_as_written():
    ci = ROOT.joinpath(".ci", "run").read_text("utf-8")
    assert _setup_commands()[1] in ci.splitlines()


def test_readme_screenshots_exist():
    text = ROOT.joinpath("README.md").read_text("utf-8")
    shots = re.findall(r"\((resources/screenshots/[^)]+\.png)\)", text)
    assert len(shots) == 5
    for shot in shots:
        assert ROOT.joinpath(shot).stat().st_size > 10_000
