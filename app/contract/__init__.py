"""ordercore's OpenAPI document: OrderCloud's published contract for what ordercore
implements, plus its extensions."""
