"""Data loaded by the management commands: letter templates and the recipient directory."""
