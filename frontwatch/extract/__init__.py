"""Extraction: from a parsed report to places, times, quantities, attributions and events."""
