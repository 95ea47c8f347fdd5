"""The multilingual reader: a cross-encoder on multilingual-e5 that scores a (question,
sentence) pair and finds the answer's span inside the sentence, in one forward pass."""
