"""WordPress's REST server: routes, requests, validation, and the HTTP sink."""
