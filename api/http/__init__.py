"""HTTP plumbing around the routes: how the app is served (uvicorn's protocol with
deadlines), the middleware and handlers every request passes (body size, rate limit,
security headers, `Allow`, errors as JSON, API keys), the served OpenAPI schema, and
event streams."""
