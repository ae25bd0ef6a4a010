"""The web app for a production WSGI server: ``gunicorn -c webui/gunicorn.conf.py`` (see README,
"Betrieb"). Settings from the environment; no worker thread here: workers run as separate
``amtsweg worker`` processes."""
from processes.bootstrap import bootstrap
from processes.settings import Settings

from . import create_app

app = create_app(bootstrap(Settings.from_env()))
