"""Loading budget folders: YAML and Markdown in, a validated :class:`bbt.model.Document` out."""
