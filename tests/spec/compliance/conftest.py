"""Tiny hand-built histories and extracts for the compliance spec tests (no real child's data)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from carewise.compliance.extracts import EXTRACTS, schema_of
from carewise.compliance.storage import Extracts
from carewise.history import History, stitch
from carewise.returns.build import return_from_rows


def _d(day: date | str | None) -> str | None:
    if day is None:
        return None
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return day.strftime("%d/%m/%Y")


def episode(child: str, decom: str, rne: str = "S", place: str = "U6", dec: str | None = None,
            rec: str | None = None, ls: str = "C2") -> dict:
    return {"CHILD": child, "DECOM": _d(decom), "RNE": rne, "LS": ls, "CIN": "N1", "PLACE": place,
            "PLACE_PROVIDER": "PR1", "DEC": _d(dec), "REC": rec,
            "REASON_PLACE_CHANGE": "CARPL" if rec == "X1" else None, "HOME_POST": "LU1 1AA",
            "PL_POST": "LU1 1AB"}


def build_history(first_year: int, last_year: int, episodes: list[dict], dob: dict[str, str],
                  reviews: list[tuple[str, str]] = (), missing: list[tuple[str, str, str, str]] = (),
                  oc3: list[dict] = ()) -> History:
    """The same rows in each return from ``first_year`` to ``last_year`` (stitching keeps one)."""
    header = [{"CHILD": c, "SEX": "1", "DOB": _d(b), "ETHNIC": "WBRI", "UPN": "UN1"} for c, b in dob.items()]
    rev = [{"CHILD": c, "DOB": _d(dob[c]), "REVIEW": _d(r), "REVIEW_CODE": "PN1"} for c, r in reviews]
    mis = [{"CHILD": c, "DOB": _d(dob[c]), "MISSING": m, "MIS_START": _d(s), "MIS_END": _d(e)}
           for c, m, s, e in missing]
    o3 = [{"DOB": _d(dob[r["CHILD"]]), **r} for r in oc3]
    returns = []
    for y in range(first_year, last_year + 1):
        tables = {"header": header, "episodes": episodes}
        if rev:
            tables["reviews"] = rev
        if mis:
            tables["missing"] = mis
        if o3:
            tables["oc3"] = o3
        returns.append(return_from_rows(y, **tables))
    return stitch(returns)


def extracts(covers_from: date = date(2000, 1, 1), **rows: list[dict]) -> Extracts:
    """Extracts from plain rows, e.g. extracts(visits=[{"child": "1", "date": "2024-01-17"}]);
    they speak for everything since ``covers_from`` (default: long before any test date)."""
    frames = {}
    for kind, items in rows.items():
        spec = EXTRACTS[kind]
        data = {c.name: [r.get(c.name, True if c.kind == "bool" else None) for r in items] for c in spec.columns}
        frame = pl.DataFrame(data, schema={c: pl.String if t == pl.Date else t
                                           for c, t in schema_of(spec).items()}, strict=False)
        frames[kind] = frame.with_columns(pl.col(c).str.to_date() for c, t in schema_of(spec).items() if t == pl.Date)
    out = Extracts.from_frames(frames)
    out.covers = {k: (covers_from, v[1]) for k, v in out.covers.items()}
    return out


@pytest.fixture
def hist():
    return build_history


@pytest.fixture
def ext():
    return extracts


def inst(a, requirement: str, child: str = "1") -> list[tuple]:
    """(due, met, status) of a child's instances of one requirement, in due-date order."""
    f = a.instances.filter((pl.col("requirement") == requirement) & (pl.col("CHILD") == child)).sort("due")
    return [(r["due"], r["met"], r["status"]) for r in f.iter_rows(named=True)]
