"""Conditional VAEs that learn p(reflectance spectrum | cover fractions)."""

__version__ = "0.1.0"
