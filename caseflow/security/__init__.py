"""Accounts' security: password hashing and policy, server-side sessions, login
throttling, the secret key and the response headers."""
