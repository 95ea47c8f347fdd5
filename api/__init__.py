"""The outer face: HTTP API, chat widget and command line."""
