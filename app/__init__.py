"""Assay: vendor AI due-diligence portal for DORA-regulated buyers."""

__version__ = "0.1.0"
