"""docs/security.md maps each OWASP ASVS requirement to tests: every test it names must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_test_named_in_the_security_document_exists():
    doc = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    files: dict[str, str] = {}
    for shorts, paths in re.findall(r"^\| (`[a-z-]+`(?:, `[a-z-]+`)*) \| (`tests/[^|]+)\|", doc, flags=re.M):
        found = re.findall(r"`([^`]+\.py)`", paths)
        folder = found[0].rsplit("/", 1)[0]
        for alias, path in zip(re.findall(r"`([a-z-]+)`", shorts), found, strict=True):
            files[alias] = path if "/" in path else f"{folder}/{path}"
    named = re.findall(r"`([a-z-]+)::(test_\w+)`", doc)
    assert len(named) > 60
    missing = [(short, test) for short, test in named
               if short not in files or f"def {test}(" not in (ROOT / files[short]).read_text(encoding="utf-8")]
    assert not missing, f"docs/security.md names tests that do not exist: {missing}"
