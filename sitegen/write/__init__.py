"""Stage 4: put the rendered site on disk, atomically, never outside the output folder."""
