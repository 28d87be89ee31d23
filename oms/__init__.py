"""oms: an online order management system."""

from oms.celery import app as celery_app

__all__ = ["celery_app"]
