"""WSGI entry point for gunicorn: ``gunicorn 'web.wsgi:app'``.

Configuration comes from the environment (KIEMDIEM_SECRET_KEY required,
KIEMDIEM_DATABASE_URL). Run gunicorn without ``--preload``: each worker opens its
own store connections, and each worker holds its own unlocked signing keys, so
use one worker or sticky sessions (a user on another worker is asked for their
password again before signing).
"""

from ledger.private_files import restrict_umask
from web import create_app

restrict_umask()  # the store's files (SQLite, checkpoints, keys) are private
app = create_app()
