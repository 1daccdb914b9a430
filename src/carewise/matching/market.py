"""The placements market of one council and the options (candidates) built from it."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from carewise.matching.schema import PROVIDER_TYPES, TABLES

DType = pl.DataType | type[pl.DataType]  # a polars column type, as a class (pl.Int64) or an instance

OPTION_SCHEMA: dict[str, DType] = {
    "option_id": pl.String,
    "kind": pl.String,
    "urn": pl.String,
    "places_free": pl.Int64,
    "min_age": pl.Int64,
    "max_age": pl.Int64,
    "sex_accepted": pl.String,
    "sibling_group_max": pl.Int64,
    "current_children": pl.Int64,
    "fostering_limit_exemption": pl.Boolean,
    "short_term": pl.Boolean,
    "long_term": pl.Boolean,
    "respite": pl.Boolean,
    "parent_and_child": pl.Boolean,
    "skills": pl.List(pl.String),
    "languages": pl.List(pl.String),
    "faiths": pl.List(pl.String),
    "categories": pl.List(pl.String),
    "cannot_accept": pl.List(pl.String),
    "active": pl.Boolean,
    "ofsted_grade": pl.String,
    "contract": pl.String,
    "price_standard": pl.Float64,
    "price_complex": pl.Float64,
    "price_specialist": pl.Float64,
    "available_from": pl.Date,
    "available_to": pl.Date,
    "easting": pl.Float64,
    "northing": pl.Float64,
    "la_code": pl.String,
    "resolution": pl.String,
    "postcode": pl.String,
    "accepts_dol": pl.Boolean,
    "adaptations": pl.List(pl.String),
    "pets": pl.Boolean,
    "current_youngest_age": pl.Int64,
    "current_oldest_age": pl.Int64,
    "connected_person_for": pl.List(pl.String),
    "full_weekly_cost": pl.Float64,
    "ofsted_date": pl.Date,
    "registered_places": pl.Int64,
}
"""One row per candidate placement. Frames built elsewhere (what-if capacity, tests, benchmarks)
may leave out later columns: ``conform`` adds them as blanks."""


def _blank(dtype: pl.DataType) -> pl.Expr:
    return pl.lit([], dtype) if isinstance(dtype, pl.List) else pl.lit(None, dtype)


def conform(frame: pl.DataFrame, schema: dict) -> pl.DataFrame:
    """``frame`` with every column of ``schema``: missing ones added blank (lists empty)."""
    missing = [_blank(t).alias(c) for c, t in schema.items() if c not in frame.columns]
    return frame.with_columns(missing) if missing else frame


def referral_schema() -> dict:
    """Columns of a loaded referrals frame (the template's, plus the resolved locations)."""
    return dict(empty("referrals").schema)


def empty(table: str) -> pl.DataFrame:
    """An empty typed frame for an extract (a market may lack some extracts)."""
    kinds: dict[str, DType] = {"id": pl.String, "text": pl.String, "int": pl.Int64, "float": pl.Float64,
             "date": pl.Date, "bool": pl.Boolean, "enum": pl.String,
             "list": pl.List(pl.String), "postcode": pl.String}
    schema: dict[str, DType] = {"_row": pl.UInt32}
    schema |= {c.name: kinds[c.kind] for c in TABLES[table].columns}
    located: dict[str, DType] = {"easting": pl.Float64, "northing": pl.Float64, "la_code": pl.String,
               "resolution": pl.String}
    if table == "referrals":
        for p in ("home_", "school_"):
            schema |= {p + k: v for k, v in located.items()}
    else:
        schema |= located
    return pl.DataFrame(schema=schema)


@dataclass
class Market:
    """One council's market extracts (typed, postcodes resolved) as loaded."""

    la_code: str
    carers: pl.DataFrame = field(default_factory=lambda: empty("carers"))
    providers: pl.DataFrame = field(default_factory=lambda: empty("providers"))
    vacancies: pl.DataFrame = field(default_factory=lambda: empty("vacancies"))
    referrals: pl.DataFrame = field(default_factory=lambda: empty("referrals"))
    version: str | None = None

    def table(self, name: str) -> pl.DataFrame:
        return getattr(self, name)

    @classmethod
    def from_frames(cls, la_code: str, frames: dict[str, pl.DataFrame]) -> Market:
        """A market from whichever extracts are given (the others empty)."""
        def frame(name: str) -> pl.DataFrame:
            return frames[name] if name in frames else empty(name)
        return cls(la_code, carers=frame("carers"), providers=frame("providers"),
                   vacancies=frame("vacancies"), referrals=frame("referrals"))

    def with_tables(self, frames: dict[str, pl.DataFrame]) -> Market:
        return Market.from_frames(self.la_code, {n: frames.get(n, self.table(n)) for n in TABLES})

    def open_referrals(self) -> pl.DataFrame:
        return self.referrals.filter(pl.col("status").fill_null("open") == "open")

    def options(self) -> pl.DataFrame:
        """Every candidate placement: in-house households and providers' vacancies.

        A provider with no vacancy row is still a candidate, with no free place, so that the
        vacancy constraint (not silence) explains why it is not offered.
        """
        return build_options(self.carers, self.providers, self.vacancies)


def consistency_warnings(market: Market, urns: set[str] | None = None) -> list[dict]:
    """Providers offering more places in vacancies than they are registered for (a home with
    0 registered places and a 9-place vacancy included): the load goes ahead, but each is
    named wherever the market is used, with what to check. ``urns``: only these providers."""
    vacancies = market.vacancies
    if urns is not None:
        vacancies = vacancies.filter(pl.col("urn").is_in(sorted(urns)))
    offered = vacancies.group_by("urn").agg(
        pl.col("places").fill_null(0).sum().alias("offered"), pl.col("vacancy_id").sort())
    rows = (market.providers.select("urn", "name", "registered_places")
            .join(offered, on="urn").filter(pl.col("offered") > pl.col("registered_places"))
            .sort("urn"))
    return [{"table": "vacancies", "urn": urn, "vacancy_ids": ids,
             "message": f"{name} ({urn}) offers {n} place(s) in vacancies but has "
                        f"{registered} registered place(s)",
             "fix": "Check the vacancies' places against the provider's registered_places (its "
                    "Ofsted registration); a home cannot take more children than it is "
                    "registered for"}
            for urn, name, registered, n, ids in rows.select(
                "urn", "name", "registered_places", "offered", "vacancy_id").iter_rows()]


def _list(col: str) -> pl.Expr:
    return pl.col(col).fill_null(pl.lit([], pl.List(pl.String)))


def build_options(carers: pl.DataFrame, providers: pl.DataFrame,
                  vacancies: pl.DataFrame) -> pl.DataFrame:
    # a market stored before a column was added reads with that column blank
    carers, providers, vacancies = (conform(f, empty(n).schema) for f, n in (
        (carers, "carers"), (providers, "providers"), (vacancies, "vacancies")))
    in_house = carers.select(
        pl.col("household_id").alias("option_id"),
        pl.lit("in_house_fostering").alias("kind"),
        pl.lit(None, pl.String).alias("urn"),
        pl.col("vacancies").alias("places_free"),
        "min_age",
        "max_age",
        "sex_accepted",
        "sibling_group_max",
        "current_children",
        pl.col("fostering_limit_exemption").fill_null(False),
        "short_term",
        "long_term",
        "respite",
        "parent_and_child",
        _list("skills"),
        _list("languages"),
        _list("faiths"),
        pl.lit([], pl.List(pl.String)).alias("categories"),
        _list("cannot_accept"),
        pl.lit(True).alias("active"),
        pl.lit(None, pl.String).alias("ofsted_grade"),
        pl.lit("in_house").alias("contract"),
        pl.col("weekly_cost").alias("price_standard"),
        pl.col("weekly_cost").alias("price_complex"),
        pl.col("weekly_cost").alias("price_specialist"),
        "available_from",
        pl.lit(None, pl.Date).alias("available_to"),
        "easting",
        "northing",
        "la_code",
        "resolution",
        "postcode",
        pl.col("accepts_dol").fill_null(False),
        _list("adaptations"),
        "pets",
        "current_youngest_age",
        "current_oldest_age",
        _list("connected_person_for"),
        "full_weekly_cost",
    )
    prov = providers.with_columns(
        pl.col("provider_type").replace_strict(PROVIDER_TYPES, default=None).alias("kind")
    )
    v = vacancies.select(
        pl.col("vacancy_id"), pl.col("urn"), pl.col("places"), pl.col("available_from"),
        pl.col("available_to"), pl.col("min_age").alias("v_min_age"),
        pl.col("max_age").alias("v_max_age"), pl.col("sex_accepted").alias("v_sex"),
        pl.col("sibling_group_max").alias("v_sgm"), pl.col("current_children").alias("v_cc"),
        pl.col("weekly_price"), _list("skills").alias("v_skills"),
        pl.col("easting").alias("v_e"), pl.col("northing").alias("v_n"),
        pl.col("la_code").alias("v_la"), pl.col("resolution").alias("v_res"),
        pl.col("postcode").alias("v_pc"),
        pl.col("adaptations").alias("v_adapt"),
        pl.col("pets").alias("v_pets"),
        pl.col("current_youngest_age").alias("v_young"),
        pl.col("current_oldest_age").alias("v_old"),
    )
    joined = prov.join(v, on="urn", how="left")
    has_v = pl.col("vacancy_id").is_not_null()
    own_location = pl.col("v_e").is_not_null()
    fostering = pl.col("kind") == "agency_fostering"
    offered = joined.select(
        pl.coalesce("vacancy_id", "urn").alias("option_id"),
        "kind",
        "urn",
        pl.when(has_v).then(pl.col("places")).otherwise(0).cast(pl.Int64).alias("places_free"),
        pl.coalesce("v_min_age", "min_age").alias("min_age"),
        pl.coalesce("v_max_age", "max_age").alias("max_age"),
        pl.coalesce("v_sex", "sex_accepted").alias("sex_accepted"),
        pl.coalesce("v_sgm", "places", pl.lit(0)).cast(pl.Int64).alias("sibling_group_max"),
        # a home's children now: as the vacancy says, else its registered places not offered
        pl.coalesce("v_cc", pl.when(pl.col("kind") == "childrens_home").then(
            (pl.col("registered_places") - pl.col("places").fill_null(0)).clip(0)),
            pl.lit(0)).cast(pl.Int64).alias("current_children"),
        (~fostering).alias("fostering_limit_exemption"),
        pl.lit(True).alias("short_term"),
        pl.lit(True).alias("long_term"),
        pl.lit(True).alias("respite"),
        ((pl.col("kind") == "parent_and_child")
         | _list("skills").list.contains("parent_and_child")).alias("parent_and_child"),
        pl.concat_list(_list("skills"), pl.col("v_skills").fill_null(pl.lit([], pl.List(
            pl.String)))).list.unique().list.sort().alias("skills"),
        _list("languages"),
        _list("faiths"),
        _list("categories"),
        _list("cannot_accept"),
        pl.col("active").fill_null(True),
        "ofsted_grade",
        "contract",
        pl.coalesce("weekly_price", "price_standard").alias("price_standard"),
        pl.coalesce("weekly_price", "price_complex", "price_standard").alias("price_complex"),
        pl.coalesce("weekly_price", "price_specialist", "price_complex",
                    "price_standard").alias("price_specialist"),
        "available_from",
        "available_to",
        pl.when(own_location).then(pl.col("v_e")).otherwise(pl.col("easting")).alias("easting"),
        pl.when(own_location).then(pl.col("v_n")).otherwise(pl.col("northing")).alias("northing"),
        pl.when(own_location).then(pl.col("v_la")).otherwise(pl.col("la_code")).alias("la_code"),
        pl.when(own_location).then(pl.col("v_res")).otherwise(pl.col("resolution"))
        .alias("resolution"),
        pl.when(own_location).then(pl.col("v_pc")).otherwise(pl.col("postcode")).alias("postcode"),
        pl.col("accepts_dol").fill_null(False),
        pl.when(pl.col("v_adapt").list.len() > 0).then(pl.col("v_adapt"))
        .otherwise(_list("adaptations")).alias("adaptations"),
        pl.col("v_pets").alias("pets"),
        pl.col("v_young").alias("current_youngest_age"),
        pl.col("v_old").alias("current_oldest_age"),
        "ofsted_date",
        "registered_places",
    )
    frames = [conform(f, OPTION_SCHEMA).select([pl.col(k).cast(t)
                                                for k, t in OPTION_SCHEMA.items()])
              for f in (in_house, offered)]
    return pl.concat(frames).sort("kind", "option_id")
