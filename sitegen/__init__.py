"""sitegen: a static-site generator for annotated commentary digests."""

__version__ = "0.1.0"
DISTRIBUTION = "sitegen-digest"
"""The name sitegen is published under on the package index ("sitegen" there is another project);
its command and its import name are `sitegen`."""
