"""Storefront pages: parse, call a selector or service, render. No business rules here."""
