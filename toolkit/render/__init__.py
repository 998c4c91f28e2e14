"""Renderers draw finished documents; they never read inputs or judge facts."""
