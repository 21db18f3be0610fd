"""Stage 1: read the site's files into checked, plain values, reporting every error with its line."""
