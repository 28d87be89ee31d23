#!/usr/bin/env python
"""The same as the ``oms`` command (oms.cli), for ``python manage.py …``."""

from oms.cli import main

if __name__ == "__main__":
    main()
