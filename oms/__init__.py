"""oms: an online order management system."""
