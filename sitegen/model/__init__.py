"""The digest as plain data: articles, threads, annotations, and the site they make."""
