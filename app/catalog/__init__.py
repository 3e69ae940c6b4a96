"""Catalog reads shared by the storefront and the order service."""
