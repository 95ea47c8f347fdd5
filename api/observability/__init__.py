"""What the service tells about itself: Prometheus metrics, answer stage timings, request
ids and JSON log lines that carry them."""
