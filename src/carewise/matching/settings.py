"""Matching settings: criterion weights and thresholds a council can set in a TOML file."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TypedDict

from carewise.errors import SettingError
from carewise.matching.schema import OFSTED_GRADES

CRITERIA = (
    "distance_home",
    "distance_school",
    "in_house",
    "cost",
    "ofsted",
    "skills",
    "siblings_together",
    "continuity",
    "wishes",
    "household",
    "placement_order",
    "locality",
    "contract",
    "inspection",
)


class Constraints(TypedDict):
    """The ``[constraints]`` section (see default_settings.toml)."""

    ofsted_floor: str
    in_house_ofsted_grade: str
    default_max_distance_miles: float
    fostering_limit: int


@dataclass(frozen=True)
class MatchSettings:
    weights: dict[str, float]
    scoring: dict[str, float]
    ofsted_scores: dict[str, float]
    constraints: Constraints
    batch: dict[str, float]
    version: str
    """First 12 hex digits of the SHA-256 of the settings' canonical content."""

    def ofsted_rank(self, grade: str | None) -> int | None:
        return OFSTED_RANK.get(grade or "")


OFSTED_RANK = {"outstanding": 0, "good": 1, "requires_improvement": 2, "inadequate": 3}


def _default_text() -> str:
    return files("carewise.matching").joinpath("default_settings.toml").read_text("utf-8")


def load_settings(path: Path | None = None) -> MatchSettings:
    """Defaults, overlaid with the council's file if given. Unknown keys are errors."""
    base = tomllib.loads(_default_text())
    if path is not None:
        try:
            override = tomllib.loads(Path(path).read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingError(f"{path}: cannot read the matching settings ({exc}). Start from "
                               "the defaults in carewise/matching/default_settings.toml.") from exc
        for section, values in override.items():
            if section not in base or not isinstance(values, dict):
                raise SettingError(f"{path}: unknown section [{section}]. Sections: "
                                   f"{', '.join(base)}.")
            for key, value in values.items():
                if key not in base[section]:
                    raise SettingError(f"{path}: unknown setting {section}.{key}. Known: "
                                       f"{', '.join(base[section])}.")
                if isinstance(base[section][key], int | float) and not isinstance(
                        value, int | float):
                    raise SettingError(f"{path}: {section}.{key} must be a number.")
                base[section][key] = value
    for name, weight in base["weights"].items():
        if weight < 0:
            raise SettingError(f"weights.{name} is negative; weights must be 0 or more.")
    floor = base["constraints"]["ofsted_floor"]
    if floor not in OFSTED_GRADES:
        raise SettingError(f"constraints.ofsted_floor '{floor}' must be one of "
                           f"{', '.join(OFSTED_GRADES[:4])}.")
    canonical = repr(sorted((s, sorted(v.items())) for s, v in base.items()))
    version = hashlib.sha256(canonical.encode()).hexdigest()[:12]
    return MatchSettings(
        weights={k: float(base["weights"][k]) for k in CRITERIA},
        scoring=base["scoring"],
        ofsted_scores=base["ofsted_scores"],
        constraints=base["constraints"],
        batch=base["batch"],
        version=version,
    )
