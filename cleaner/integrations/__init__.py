"""Adapters for data-processing frameworks (optional extras)."""
