"""Console pages. Each view parses input, calls a selector or service, renders: no business rules here."""
