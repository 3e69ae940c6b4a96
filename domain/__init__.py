"""Pure ordercore domain: rules over plain data, no I/O and no framework imports."""
