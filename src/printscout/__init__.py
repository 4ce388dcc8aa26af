"""PrintScout: printer-fleet monitoring."""

__version__ = "0.1.0"
