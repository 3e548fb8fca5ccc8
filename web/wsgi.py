"""WSGI entry point for gunicorn: ``gunicorn 'web.wsgi:app'``.

Configuration comes from the environment (KIEMDIEM_SECRET_KEY required,
KIEMDIEM_DATABASE_URL). Run gunicorn without ``--preload``: each worker opens its
own store connections. A user's unlocked signing key is kept with their session,
sealed under the cookie's token (services.session_keys), so any worker can sign
for them.
"""

import gc

from services.setup import make_new_files_private
from web import create_app
from web.templating import warm_templates

make_new_files_private()  # the store's files (SQLite, checkpoints, keys) are private
app = create_app()
# Each worker compiles the templates as it starts (about half a second of CPU),
# not during its first requests.
warm_templates(app)
# What is loaded by now (modules, the app, its templates: ~145,000 objects) lives
# as long as the worker: out of the garbage collector's sight, so a full
# collection during a request walks only what requests made (docs/national-scale.md,
# "floor": one took up to 383 ms under load, 30 ms after this).
gc.collect()
gc.freeze()
