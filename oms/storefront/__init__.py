"""The storefront at /: catalog, cart, checkout, payment and the customer's orders, over the same services as the API."""
