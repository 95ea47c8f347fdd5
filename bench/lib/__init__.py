"""What the benchmark and tuning scripts share; nothing here is a script of its own."""
