"""oobe-ready: gate Windows golden images for Windows Backup for Organizations restore."""

__version__ = "0.1.0"
