"""frontwatch: war reporting in, a verified, explainable map of events and control out."""

__version__ = "0.1.0"
