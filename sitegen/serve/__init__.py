"""The live preview, `sitegen serve`: the build held in memory, served, and rebuilt on every save."""
