import os

from django.core.wsgi import get_wsgi_application

from oms.common.folders import ensure_var_dirs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
application = get_wsgi_application()
ensure_var_dirs()  # the SQLite file's folder, the embedded broker's: made on start, not when settings are read
