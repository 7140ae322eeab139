"""gunicorn entry point: `gunicorn wpcompat.wsgi:app` (or `wpcompat serve`)."""

import sys

from conf.settings import SettingsError, load_settings
from wpcompat.app import create_app
from wpcompat.db import UnsafeRoleError

try:
    app = create_app(load_settings())
except (SettingsError, UnsafeRoleError) as error:
    print(f"wpcompat: {error}", file=sys.stderr)
    sys.exit(3)        # gunicorn's worker boot error: the arbiter stops instead of retrying
