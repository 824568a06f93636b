"""MPEP generator: render translation Spaces and collect what they gather."""

__version__ = "0.1.0"
