"""Authentication (OAuth2 token endpoint, RS256 JWTs) and role checks."""
