"""The live preview, `sitegen serve`: the site built as `sitegen build` builds it, served, and rebuilt on every save."""
