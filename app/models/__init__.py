"""Wire structs (msgspec) that validate what callers send, in OrderCloud's field names."""
