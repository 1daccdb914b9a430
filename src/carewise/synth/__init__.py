"""Synthetic councils: realistic, seeded 903 returns for trying carewise and for tests.

``generate_council(size, years, seed, la_code)`` simulates a council's children and cuts them
into one return per collection year; ``write_council`` writes them as DfE-layout CSV files;
``generate_national`` makes every English council at its published size. The generating
parameters are kept on ``SyntheticCouncil.truth`` so estimates can be checked against them.
"""

from carewise.synth.council import (
    SyntheticCouncil,
    generate_council,
    generate_national,
    national_size,
    write_council,
)
from carewise.synth.figures import (
    DEFAULT_COUNCIL,
    SIZES,
    BadSizeError,
    CouncilFigures,
    Truth,
    UnknownCouncilError,
    council_figures,
    parse_size,
)

__all__ = [
    "DEFAULT_COUNCIL",
    "SIZES",
    "BadSizeError",
    "CouncilFigures",
    "SyntheticCouncil",
    "Truth",
    "UnknownCouncilError",
    "council_figures",
    "generate_council",
    "generate_national",
    "national_size",
    "parse_size",
    "write_council",
]
