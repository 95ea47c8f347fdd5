"""What clients send, checked before any model sees it: JSON bodies, their declared type,
request values against the configured bounds, and uploaded files."""
