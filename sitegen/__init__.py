"""sitegen: a static-site generator for annotated commentary digests."""

__version__ = "0.1.0"
