"""The staff console at /console/: the same services and selectors as the API, rendered as pages."""
