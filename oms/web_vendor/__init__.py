"""Static files and base templates shared by the staff console and the storefront.

``static/vendor/`` (htmx, Chart.js) is not in git: scripts/install.sh copies it from the npm packages named in the
root package.json. ``static/web/`` and ``templates/web/`` are ours.
"""
