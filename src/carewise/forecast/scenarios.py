"""Named, saved scenarios: changes to the flows of children, compared with the baseline.

A scenario is a list of changes, each ramping in linearly from ``start`` (default: the forecast
start) to its full size at ``full_by`` (default: at once):

- ``entry_rate``: ``change`` −0.1 means 10% fewer children entering care;
- ``in_house_share``: a ``share`` of new agency foster placements (entrants and moves) go to
  in-house carers instead; or give ``target`` (0.7) and ``by`` (a date) and carewise finds the
  share of new placements that reaches 70% of fostered children in-house by then (or says it
  cannot);
- ``residential_entries``: ``change`` −0.25 means a quarter of new residential placements are
  made in ``to`` (default agency fostering) instead;
- ``in_house_capacity``: ``places`` more in-house foster places than in use at the start; new
  agency placements fill them first;
- ``step_down``: ``per_year`` children a year move from residential to ``to`` (default in-house
  fostering);
- ``in_house_limit``: in-house foster carers can look after at most ``places`` children (from the
  market extract's approved places, :func:`in_house_places`, or a number the user gives); new
  in-house placements beyond it are made with agencies, so "100% in-house" cannot place more
  children than there are carers, and an in-house target that needs more places says so.

The in-house share is reported against **mainstream fostering** (in-house / (in-house + agency));
family and friends (connected, kinship) carers are outside it, as in the 70% target.

Scenarios are saved as JSON or TOML in the carewise data folder (``scenarios/``) or at a path.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from carewise.errors import NotFoundError, SettingError
from carewise.forecast.effects import Capacity, Effects, Limit, Redirect, StepDown
from carewise.forecast.states import CATEGORIES

KINDS = ("entry_rate", "in_house_share", "residential_entries", "in_house_capacity", "step_down", "in_house_limit")
_IDX = {name: i for i, name in enumerate(CATEGORIES)}
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,60}$")


@dataclass
class Change:
    kind: str
    change: float | None = None
    share: float | None = None
    target: float | None = None
    by: date | None = None
    places: float | None = None
    per_year: float | None = None
    to: str | None = None
    source: str | None = None
    """Where a number came from (e.g. the market extract an in-house limit was read from)."""
    start: date | None = None
    full_by: date | None = None

    def __post_init__(self) -> None:
        for attr in ("by", "start", "full_by"):
            value = getattr(self, attr)
            if isinstance(value, str):
                try:
                    setattr(self, attr, date.fromisoformat(value))
                except ValueError:
                    raise SettingError(f"'{value}' is not a date: write {attr} as YYYY-MM-DD.") from None
        if self.kind not in KINDS:
            raise SettingError(f"Unknown scenario change '{self.kind}'; use one of: {', '.join(KINDS)}.")
        if self.to is not None and self.to not in _IDX:
            raise SettingError(f"Unknown placement category '{self.to}'; use one of: {', '.join(CATEGORIES)}.")
        need = {
            "entry_rate": ("change",),
            "residential_entries": ("change",),
            "in_house_capacity": ("places",),
            "in_house_limit": ("places",),
            "step_down": ("per_year",),
        }.get(self.kind, ())
        for attr in need:
            if getattr(self, attr) is None:
                raise SettingError(f"A '{self.kind}' change needs '{attr}'.")
        if self.kind == "in_house_share" and self.share is None and (self.target is None or self.by is None):
            raise SettingError("An 'in_house_share' change needs 'share', or 'target' and 'by'.")
        for attr in ("share", "target"):
            value = getattr(self, attr)
            if value is not None and not 0 <= value <= 1:
                raise SettingError(f"'{attr}' is a share between 0 and 1 (70% is 0.7); {value} was given.")
        if self.kind == "residential_entries" and self.change is not None and not -1 <= self.change <= 0:
            raise SettingError("'residential_entries' change is a reduction between -1 and 0 (-0.25 = a quarter fewer).")
        if self.kind == "entry_rate" and self.change is not None and self.change < -1:
            raise SettingError("'entry_rate' change cannot be below -1 (no entrants at all).")

    def ramp(self, dates: list[date], origin: date) -> np.ndarray:
        """0 before ``start``, rising linearly to 1 at ``full_by``, then 1 (per step end date)."""
        start = self.start or origin
        full = self.full_by or start
        out = np.zeros(len(dates))
        for i, d in enumerate(dates):
            if d < start:
                continue
            out[i] = 1.0 if full <= start or d >= full else (d - start).days / (full - start).days
        return out

    def to_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v is not None}


@dataclass
class Scenario:
    name: str
    description: str = ""
    changes: list[Change] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.name):
            raise SettingError(
                f"'{self.name}' cannot be a scenario name: use letters, digits, spaces, '-', '_' or '.' (up to 60)."
            )
        self.changes = [c if isinstance(c, Change) else Change(**c) for c in self.changes]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "changes": [c.to_dict() for c in self.changes]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scenario:
        try:
            return cls(name=data["name"], description=data.get("description", ""), changes=list(data.get("changes", [])))
        except KeyError:
            raise SettingError("A scenario needs a 'name'.") from None
        except TypeError as exc:
            raise SettingError(f"A scenario change has an unknown setting: {exc}.") from None


def resolve(scenario: Scenario | None, model: Any, dates: list[date]) -> Effects:
    """Turn a scenario's changes into per-step effects for the projection."""
    from carewise.forecast.simulate import deterministic

    eff = Effects.none(len(dates))
    if scenario is None:
        return eff
    origin = model.origin
    for ch in scenario.changes:  # limits first: an in-house target is solved within them
        if ch.kind == "in_house_limit":
            eff.limits.append(Limit(_IDX["fostering_in_house"], _IDX["fostering_agency"],
                                    np.full(len(dates), float(ch.places or 0.0))))
    for ch in scenario.changes:
        r = ch.ramp(dates, origin)
        if ch.kind == "entry_rate":
            eff.entry_factor = eff.entry_factor * (1 + (ch.change or 0.0) * r)
        elif ch.kind == "residential_entries":
            eff.redirects.append(Redirect(_IDX["residential"], _IDX[ch.to or "fostering_agency"], -(ch.change or 0.0) * r))
        elif ch.kind == "in_house_capacity":
            eff.capacities.append(Capacity(_IDX["fostering_in_house"], _IDX["fostering_agency"], (ch.places or 0.0) * r))
        elif ch.kind == "step_down":
            eff.step_downs.append(StepDown(_IDX["residential"], _IDX[ch.to or "fostering_in_house"], (ch.per_year or 0.0) * r))
        elif ch.kind == "in_house_share":
            redirect = Redirect(_IDX["fostering_agency"], _IDX["fostering_in_house"], r * (ch.share or 0.0))
            eff.redirects.append(redirect)
            if ch.share is None:
                redirect.share = r * _solve_share(ch, model, dates, eff, redirect, deterministic)
    return eff


def in_house_places(carers: Any) -> int:
    """Children in-house foster carers can look after: the approved places of the market
    extract's in-house households approved for short- or long-term care (respite-only and
    parent-and-child-only approvals do not take a looked-after child on their own)."""
    import polars as pl

    if carers is None or carers.height == 0:
        raise SettingError("The market extract has no in-house foster carers: load one with `carewise market load`, "
                           "or give the number of places.")
    def yes(name: str) -> pl.Expr:
        col = pl.col(name)
        if carers.schema[name] == pl.Boolean:
            return col.fill_null(False)
        return col.cast(pl.String).str.to_uppercase().is_in(["Y", "YES", "TRUE", "1"]).fill_null(False)

    usable = carers.filter(yes("short_term") | yes("long_term"))
    return int(usable["approved_places"].cast(pl.Int64, strict=False).fill_null(0).sum())


def in_house_share(mean: np.ndarray) -> np.ndarray:
    """In-house share of mainstream fostering (in-house / (in-house + agency)) per date; family and
    friends carers are not in it."""
    ih = mean[..., _IDX["fostering_in_house"]].sum(-1)
    ag = mean[..., _IDX["fostering_agency"]].sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ih + ag > 0, ih / (ih + ag), np.nan)


def _solve_share(ch: Change, model: Any, dates: list[date], eff: Effects, redirect: Redirect, deterministic: Any) -> float:
    """The share of new agency placements to move in-house so the target is met by ``ch.by``."""
    assert ch.by is not None and ch.target is not None
    if ch.by <= model.origin or ch.by > dates[-1]:
        raise SettingError(f"'by' ({ch.by}) must fall inside the forecast ({model.origin} to {dates[-1]}).")
    at = max(i for i, d in enumerate(dates) if d <= ch.by) + 1
    ramp = redirect.share.copy()
    ramp_unit = ch.ramp(dates, model.origin)

    def share_at(s: float) -> float:
        redirect.share = ramp_unit * s
        return float(in_house_share(deterministic(model.rates, model.start, dates, eff)[at]))

    if share_at(1.0) < ch.target:
        redirect.share = ramp
        raise SettingError(
            f"Moving every new agency placement in-house reaches only {share_at(1.0):.0%} in-house by {ch.by}; "
            f"the target {ch.target:.0%} is not reachable by then. Give a later 'by' or add 'in_house_capacity'/'step_down'."
        )
    lo, hi = 0.0, 1.0
    if share_at(0.0) >= ch.target:
        return 0.0
    for _ in range(30):
        mid = (lo + hi) / 2
        if share_at(mid) >= ch.target:
            hi = mid
        else:
            lo = mid
    return hi


# ---- storage -----------------------------------------------------------------------------


def scenario_folder(data_dir: str | Path) -> Path:
    """Where saved scenarios live: ``scenarios/`` in the data folder (``Settings.data_dir``, which
    the command line and the web app pass in)."""
    return Path(data_dir) / "scenarios"


def _to_toml(data: dict[str, Any]) -> str:
    def value(v: Any) -> str:
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, bool):
            return "true" if v else "false"
        return repr(v)

    lines = [f"name = {value(data['name'])}", f"description = {value(data.get('description', ''))}"]
    for ch in data.get("changes", []):
        lines += ["", "[[changes]]"] + [f"{k} = {value(v)}" for k, v in ch.items()]
    return "\n".join(lines) + "\n"


def save(scenario: Scenario, path: str | Path | None = None, *, folder: str | Path | None = None) -> Path:
    """Write the scenario to ``path`` (.json or .toml), else to ``folder`` (:func:`scenario_folder`)
    as NAME.json."""
    if path is None and folder is None:
        raise ValueError("save needs a path or the scenario folder")
    target = Path(path) if path else Path(folder or ".") / f"{scenario.name}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    data = scenario.to_dict()
    text = _to_toml(data) if target.suffix.lower() == ".toml" else json.dumps(data, indent=2) + "\n"
    target.write_text(text)
    return target


def load(name_or_path: str | Path, folder: str | Path | None = None) -> Scenario:
    """A scenario from a file path, or by name from ``folder`` (:func:`scenario_folder`)."""
    p = Path(name_or_path)
    if not p.exists():
        named = [Path(folder) / f"{name_or_path}{suffix}" for suffix in (".json", ".toml")] if folder else []
        p = next((candidate for candidate in named if candidate.exists()), p)
        if not p.exists():
            raise NotFoundError(
                f"No scenario '{name_or_path}': see `carewise scenario list`, or give the path of a .json/.toml file."
            )
    try:
        data = tomllib.loads(p.read_text()) if p.suffix.lower() == ".toml" else json.loads(p.read_text())
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise SettingError(f"The scenario file {p} cannot be read ({exc}); fix its syntax.") from None
    return Scenario.from_dict(data)


def list_saved(folder: str | Path) -> list[Scenario]:
    """Every scenario saved in ``folder`` (:func:`scenario_folder`), by file name."""
    folder = Path(folder)
    if not folder.exists():
        return []
    return [load(p) for p in sorted(folder.iterdir()) if p.suffix.lower() in (".json", ".toml")]
