"""Rules judge facts into results. One module per family; registry.py lists them all."""
