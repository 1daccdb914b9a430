"""docs/measures.md lists every declared measure (so the documentation cannot fall behind)."""

from pathlib import Path

from carewise.measures import MEASURES

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_measure_is_documented():
    text = (DOCS / "measures.md").read_text(encoding="utf-8")
    missing = [mid for mid in MEASURES if f"`{mid}`" not in text]
    assert not missing, f"add these to docs/measures.md: {missing}"


def test_cli_json_documents_measures_and_pack():
    text = (DOCS / "cli-json.md").read_text(encoding="utf-8")
    assert "## carewise measures" in text and "## carewise pack" in text


def test_every_measure_section_is_written_from_the_declarations():
    """The definitions in the document are the ones the code follows (regenerate with
    ``python -m carewise.measures.catalogue`` after changing a measure)."""
    from carewise.measures.catalogue import every_measure

    text = (DOCS / "measures.md").read_text(encoding="utf-8")
    assert every_measure() in text
