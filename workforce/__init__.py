"""Labour-market analytics and forecasting for care and welfare in the Utrecht region."""

__version__ = "0.1.0"
