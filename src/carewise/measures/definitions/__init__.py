"""Measure declarations, one module per section of the panel pack."""
