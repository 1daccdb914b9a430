"""The command line starts without its heavy libraries (issue 13 item 7): they are imported by the
commands that use them, so `carewise --help` and every command start quickly. Not a timing test:
it checks which modules were loaded."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("polars", "sqlalchemy", "numpy", "pandas", "weasyprint", "fastapi", "altair", "lxml", "scipy",
         "highspy", "dask", "xlsxwriter", "jinja2")


def loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nimport json; print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_building_the_command_line_loads_no_heavy_library():
    assert loaded_after("import carewise.cli").isdisjoint(HEAVY)


def test_help_loads_no_heavy_library():
    code = "from carewise.cli import app\ntry:\n    app(['--help'])\nexcept SystemExit:\n    pass"
    assert loaded_after(code).isdisjoint(HEAVY)


def test_the_package_faces_still_give_their_names():
    loaded = loaded_after("import carewise\nimport carewise.ingest\nimport carewise.store")
    assert loaded.isdisjoint(HEAVY)
    import carewise
    import carewise.ingest

    assert carewise.Store.__name__ == "Store" and carewise.ingest.read_returns.__name__ == "read_returns"
