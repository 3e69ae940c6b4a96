"""Use cases that need more than generic CRUD: orders, line items, carts, payments."""
