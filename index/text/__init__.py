"""Text as the index reads it: languages and scripts, line breaks, sentences with character
offsets, and chunks of whole sentences."""
