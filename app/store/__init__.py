"""Persistence: SQLAlchemy 2 async on embedded SQLite (default) or PostgreSQL."""
