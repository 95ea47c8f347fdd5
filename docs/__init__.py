"""Tools that keep the documentation pages true: docs/settings_table.py writes the table of
docs/configuration.md from the settings classes."""
