"""The Litestar application: routes, auth, wire structs, persistence and the CLI."""
