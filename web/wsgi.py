"""WSGI entry point for gunicorn: ``gunicorn 'web.wsgi:app'``.

Configuration comes from the environment (KIEMDIEM_SECRET_KEY required,
KIEMDIEM_DATABASE_URL). Run gunicorn without ``--preload``: each worker opens its
own store connections, and each worker holds its own unlocked signing keys, so
use one worker or sticky sessions (a user on another worker is asked for their
password again before signing).
"""

from web import create_app

app = create_app()
