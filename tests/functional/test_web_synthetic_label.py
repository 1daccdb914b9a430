"""Issue 16 item 1: a synthetic council is labelled synthetic on every web page, in the pack
download's name and in the API's council data, so made-up figures are never taken as real."""

from __future__ import annotations

import pytest
from web_helpers import page_text, sign_in, synthetic_app

PASSWORD = "synthetic-label-password-1"
NOTICE = "Synthetic data — not a real council"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app, _, _ = synthetic_app(tmp_path_factory.mktemp("web-synthetic"), ("analyst",), PASSWORD, 40,
                              "2023-24..2024-25", seed=6)
    return sign_in(app, "analyst", PASSWORD)


@pytest.mark.parametrize("path", ["/", "/population", "/stability", "/children", "/pack"])
def test_every_page_of_a_synthetic_council_carries_the_banner(world, path):
    page = world.get(path)
    assert page.status_code == 200
    assert NOTICE in page_text(page.text)


def test_api_council_data_says_synthetic(world):
    measures = world.get("/api/v1/measures").json()
    assert measures and all(m["synthetic"] is True for m in measures)
    children = world.get("/api/v1/children").json()
    assert children and all(c["synthetic"] is True for c in children)
    assert world.get(f"/api/v1/children/{children[0]['ref']}").json()["synthetic"] is True
    assert world.get("/api/v1/status").json()["council"]["synthetic"] is True


def test_pack_download_is_named_synthetic(world):
    r = world.get("/pack/download", params={"format": "html", "audience": "panel"})
    assert r.status_code == 200
    assert 'filename="carewise-synthetic-pack-' in r.headers["content-disposition"]
    assert NOTICE in r.text
