"""Deterministic synthetic care labour market in the raw contract formats, with its ground truth."""

from workforce.synthetic.generate import GenerationSummary, generate_national, generate_region
from workforce.synthetic.params import RegionParams

__all__ = ["GenerationSummary", "RegionParams", "generate_national", "generate_region"]
