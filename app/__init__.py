"""Backroom: the back office of a small e-commerce workshop, as one desktop program."""

__version__ = "0.1.0"
