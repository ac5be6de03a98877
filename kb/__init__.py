"""alignkb: the engine that builds, validates and queries the knowledge base."""

__version__ = "0.1.0"
