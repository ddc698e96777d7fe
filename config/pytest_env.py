"""Loaded by pytest before Django (``-p config.pytest_env``): the test environment.

Tests keep their files (secret key, SQLite test database, uploaded media) in a throwaway
folder, never in var/. Unless COWORKLIB_DATA_DIR names one already, the folder is made in
the system's temporary directory and removed when the process that made it exits. With
pytest-xdist the controller makes it before starting the workers, which inherit the
variable: they use the same folder and leave its removal to the controller.
"""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("COWORKLIB_TESTING", "true")
if not os.environ.get("COWORKLIB_DATA_DIR"):
    data_dir = tempfile.mkdtemp(prefix="coworklib-test-")
    os.environ["COWORKLIB_DATA_DIR"] = data_dir
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
