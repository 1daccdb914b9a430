"""carewise: figures, forecasts and decisions for children looked after, from the 903 return."""

__version__ = "0.1.0"
