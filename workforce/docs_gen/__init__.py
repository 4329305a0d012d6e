"""Generators of documentation pages and README figures from the code and the data."""
