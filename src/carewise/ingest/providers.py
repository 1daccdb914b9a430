"""Read Ofsted's provider lists (children's homes; social care providers) for the URN rules.

Ofsted publishes these spreadsheets under changing layouts: "Provider information"
(children's homes), "Current providers" / "Providers closed in …" (social care
providers), a combined "Providers" sheet and, from 2025, an "SA Providers" sheet of
registered supported accommodation. Every sheet with a URN column is read; columns are
recognised by their header wording, so a renamed column still reads.

Ingest reads them (and recognises a provider list beside the 903 files); the validation rules
get the frame as ``ProviderLists`` through ``carewise.validate.providers``. The frame has
URN, PROVIDER_TYPE, STATUS, REG_DATE, CLOSE_DATE, POSTCODE, LA, PLACE_CODES (the
placement codes Ofsted lists for the provider), PROVIDER_CODES and SHEET (the first value of
each per URN), and LAS and POSTCODES (every council and postcode listed for the URN).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from carewise.errors import BadInputError
from carewise.ingest.extracts import date_from_text

# Output column → header wordings, best first (lower case, spaces collapsed).
_COLUMNS: dict[str, tuple[str, ...]] = {
    "URN": ("urn",),
    "PROVIDER_TYPE": ("provider type", "provision type"),
    "STATUS": ("registration status", "provider status", "setting status"),
    "REG_DATE": ("registration date",),
    "CLOSE_DATE": ("closed date", "deregistration date", "close date", "closure date"),
    "POSTCODE": (
        "setting address postcode",
        "setting postcode",
        "provider postcode",
        "provider address postcode",
        "postcode",
        "postcode area",
    ),
    "LA": ("setting local authority", "local authority", "provider local authority"),
    "PLACE_CODES": ("placement code", "provider placement code"),
    "PROVIDER_CODES": ("placement provider code", "provider code"),
}

OUTPUT_COLUMNS = (*_COLUMNS, "SHEET")


def _norm(header: str) -> str:
    return re.sub(r"\s+", " ", str(header).strip().lower())


def _date(col: str) -> pl.Expr:
    """REG_DATE / CLOSE_DATE read as every local file's dates are (``ingest.extracts``)."""
    return date_from_text(pl.col(col).cast(pl.String).str.strip_chars()).alias(col)


def _sheet_frame(frame: pl.DataFrame, sheet: str) -> pl.DataFrame | None:
    by_norm = {_norm(c): c for c in frame.columns}
    if "urn" not in by_norm:
        return None
    exprs = []
    for out, wordings in _COLUMNS.items():
        source = next((by_norm[w] for w in wordings if w in by_norm), None)
        exprs.append(
            pl.col(source).cast(pl.String).alias(out)
            if source
            else pl.lit(None, dtype=pl.String).alias(out)
        )
    picked = frame.select(exprs).with_columns(
        pl.col("URN").str.strip_chars().str.to_uppercase().str.replace(r"\.0$", ""),
        pl.col("POSTCODE").str.strip_chars().str.to_uppercase(),
        pl.col("PLACE_CODES")
        .str.to_uppercase()
        .str.replace_all(r"\s", "")
        .str.replace_all("/", ","),
        pl.lit(sheet).alias("SHEET"),
    )
    return picked.filter(pl.col("URN").is_not_null() & (pl.col("URN") != ""))


def provider_frame(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Provider lists from already-read sheets (sheet name → text frame): one row per URN."""
    parts = [
        p
        for name, f in frames.items()
        if "condition" not in name.lower() and (p := _sheet_frame(f, name)) is not None
    ]
    if not parts:
        raise BadInputError(
            "no sheet of the provider list has a URN column: give Ofsted's children's homes or "
            "social care providers spreadsheet (.xlsx) as downloaded"
        )
    combined = pl.concat(parts, how="vertical").with_columns(_date("REG_DATE"), _date("CLOSE_DATE"))
    # One row per URN: a provider listed on several sheets (e.g. both Ofsted lists) keeps the first
    # value each sheet gives for each column.
    # LAS and POSTCODES keep every council and postcode listed for the URN: a supported
    # accommodation provider may have premises in several councils (rule 241).
    merged = combined.group_by("URN", maintain_order=True).agg(
        *[pl.col(c).drop_nulls().first() for c in _COLUMNS if c != "URN"],
        pl.col("SHEET").str.join("; "),
        pl.col("LA").drop_nulls().unique(maintain_order=True).alias("LAS"),
        pl.col("POSTCODE").drop_nulls().unique(maintain_order=True).alias("POSTCODES"),
    )
    return merged


def read_provider_list(paths: str | Path | Sequence[str | Path]) -> pl.DataFrame:
    """Read one or more Ofsted provider spreadsheets into one frame, one row per URN."""
    files = [paths] if isinstance(paths, str | Path) else list(paths)
    frames: dict[str, pl.DataFrame] = {}
    for file in files:
        path = Path(file)
        if not path.is_file():
            raise BadInputError(
                f"the provider list {path} does not exist: check the path given to --providers"
            )
        try:
            sheets = pl.read_excel(path, sheet_id=0, infer_schema_length=0)
        except Exception as exc:  # fastexcel raises its own types for unreadable workbooks
            raise BadInputError(
                f"{path.name} could not be read as an Excel workbook ({type(exc).__name__}): "
                "give Ofsted's provider list as downloaded (.xlsx)"
            ) from None
        for sheet, frame in sheets.items():
            frames[f"{path.name}:{sheet}"] = frame
    return provider_frame(frames)
