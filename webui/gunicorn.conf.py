"""gunicorn's configuration for Amtsweg: ``gunicorn -c webui/gunicorn.conf.py`` from the repository
root. Options given on the command line (``--bind``, ``--workers``) or in GUNICORN_CMD_ARGS win.
A reverse proxy (TLS) in front forwards to the bound address; job workers run separately
(``amtsweg worker``)."""
import multiprocessing

wsgi_app = "webui.wsgi:app"
bind = ["127.0.0.1:8000"]  # behind the TLS proxy on the same host
workers = min(2 * multiprocessing.cpu_count() + 1, 8)  # each has its own database pool
threads = 1
worker_class = "sync"
timeout = 60  # a request that runs longer is a bug (PDFs render in the job workers)
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then
max_requests_jitter = 200
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
forwarded_allow_ips = "127.0.0.1"  # gunicorn trusts X-Forwarded-Proto only from the local proxy
proxy_allow_ips = "127.0.0.1"
accesslog = "-"
errorlog = "-"
loglevel = "info"
# The access log shows paths but no query strings (they may carry case numbers) and no cookies.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
