"""multilingual-e5 tuned to embed a Russian or Kazakh question where e5 embeds its English
translation, for retrieval across languages (qa.question_encoder.encoder)."""
