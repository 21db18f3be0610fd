"""Stage 3: turn the model into HTML: Markdown, anchored annotations, templates, pages."""
