"""Readers that turn inputs into facts. Each module reads one kind of input."""
