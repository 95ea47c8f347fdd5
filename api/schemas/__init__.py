"""Request and response bodies of the HTTP API (documented in docs/http-api.md): the
question routes with health and errors (`questions`), the OpenAI-compatible routes
(`openai_compat`) and the admin routes (`admin`)."""
