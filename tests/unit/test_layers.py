"""The layers that import-linter cannot see (issue 18 item 5; docs/developers.md, "Layers").

Engines take their settings as arguments: no engine module calls ``get_settings``; the command
line and the web app read the settings and pass them (or the values needed) in, so an engine
gives the same answer whoever calls it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import carewise

ENGINES = ("validate", "measures", "compliance", "forecast", "matching", "voice")

def _reads_settings(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Name) and node.id == "get_settings":
            return True
        if isinstance(node, ast.Attribute) and node.attr == "get_settings":
            return True
        if isinstance(node, ast.alias) and node.name == "get_settings":
            return True
    return False


def test_reads_settings_sees_an_import_a_call_and_an_attribute(tmp_path):
    cases = {"from carewise.settings import get_settings\n": True,
             "import carewise.settings as s\nx = s.get_settings().data_dir\n": True,
             "def f(settings):\n    return settings.data_dir\n": False}
    for i, (text, expected) in enumerate(cases.items()):
        (tmp_path / f"m{i}.py").write_text(text)
        assert _reads_settings(tmp_path / f"m{i}.py") is expected, text


def test_engines_take_settings_as_arguments():
    root = Path(carewise.__file__).parent
    reading = {p.relative_to(root).as_posix()
               for engine in ENGINES for p in (root / engine).rglob("*.py") if _reads_settings(p)}
    assert not reading, (
        f"engine modules calling get_settings: {sorted(reading)}; take the settings "
        "(or the values needed) as arguments and let the command line or web app pass them in")
