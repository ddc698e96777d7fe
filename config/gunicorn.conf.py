"""gunicorn settings shared by ./run and production (``gunicorn -c config/gunicorn.conf.py ...``).

gunicorn (27.0) writes ``Server: gunicorn`` on every response and has no setting to change
it; the application cannot replace it either (gunicorn sends its own line, then the
application's). The name of the server software tells nobody anything useful but someone
looking for a server to attack, so the value is replaced here, before any worker starts:
``gunicorn.http.wsgi`` reads its module-level ``SERVER`` for each response.
``coworklib/core/tests/test_gunicorn.py`` starts gunicorn with this file and reads the header.
"""

import gunicorn.http.wsgi

gunicorn.http.wsgi.SERVER = "Coworklib"
