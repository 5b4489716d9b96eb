"""docs/state-machine.md is generated from Memo's transitions and must match the code."""

import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from memos.management.commands.state_diagram import render
from memos.models import MemoStatus


def mermaid_block(text: str) -> str:
    match = re.search(r"```mermaid\n(.*?)```", text, re.S)
    assert match, "no mermaid block"
    return match.group(1)


def test_committed_state_machine_doc_matches_the_code():
    # Fails when a transition or status changes without `python manage.py state_diagram` being run.
    call_command("state_diagram", "--check")


def test_diagram_shows_every_status():
    diagram = mermaid_block(render())
    assert diagram.startswith("stateDiagram-v2\n")
    declared = set(re.findall(r'^\s+state "[^"]*" as (\w+)$', diagram, re.M))
    edges = re.findall(r"^\s+(\S+) --> (\S+)", diagram, re.M)
    on_an_arrow = {node for edge in edges for node in edge} - {"[*]"}
    for status in MemoStatus:
        assert status.value in declared, status
        assert status.value in on_an_arrow, f"{status} is not reachable or left in the diagram"


def test_diagram_draws_each_declared_transition():
    diagram = mermaid_block(render())
    assert "[*] --> draft" in diagram
    assert "draft --> in_review : submit" in diagram
    assert "returned --> in_review : submit" in diagram
    assert "in_review --> returned : return_for_revision" in diagram
    assert "in_review --> completed : complete" in diagram
    assert "completed --> archived : archive" in diagram
    for final in (MemoStatus.ARCHIVED, MemoStatus.REJECTED, MemoStatus.WITHDRAWN):
        assert f"{final.value} --> [*]" in diagram


def test_check_fails_when_the_file_differs(tmp_path: Path):
    stale = tmp_path / "state-machine.md"
    stale.write_text(render().replace("withdraw", "recall"), encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("state_diagram", "--check", "--output", str(stale))
    call_command("state_diagram", "--output", str(stale))
    call_command("state_diagram", "--check", "--output", str(stale))
    assert stale.read_text(encoding="utf-8") == render()
