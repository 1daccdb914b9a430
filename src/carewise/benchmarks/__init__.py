"""Published figures carewise compares a council with, shipped with the package.

Data (in ``data/``, Open Government Licence v3.0; provenance in ``data/README-benchmarks.md``):

- ``under18-population.csv``: ONS mid-year estimates of children aged 0-17 (mid-2012 to mid-2024),
  the denominators DfE uses for "children looked after per 10,000 children";
- ``cla-by-la.csv``: DfE "Children looked after in England including adoptions", years ending
  31 March 2019-2025, England, regions and every council, each row from its latest release
  (column ``release``) beside the value first published;
- ``cla-31-march-characteristics-by-la.csv.gz``: the same release's children looked after at
  31 March by characteristic (placement, age, sex, ethnicity, legal status, need, UASC, locality);
- ``statistical-neighbours.csv`` / ``authorities.csv``: DfE's 2025 statistical-neighbour model
  and each council's DfE region.

DfE revises back years in every release, so every comparator carries the release it came from.

Public face: :func:`under18_population`, :func:`comparators`, :func:`published`,
:func:`region_of`, :func:`statistical_neighbours`, :class:`Comparator`.
"""

from carewise.benchmarks.loader import (
    ENGLAND,
    Comparator,
    characteristics,
    cla_by_la,
    comparators,
    published,
    region_of,
    statistical_neighbours,
    under18_population,
)

__all__ = [
    "ENGLAND",
    "Comparator",
    "characteristics",
    "cla_by_la",
    "comparators",
    "published",
    "region_of",
    "statistical_neighbours",
    "under18_population",
]
