"""Loaded by pytest before Django (``-p config.pytest_env``): the test environment.

Tests keep their files (secret key, uploaded media) in a throwaway folder, never in var/.
"""

import os
import tempfile

os.environ.setdefault("COWORKLIB_TESTING", "true")
os.environ.setdefault("COWORKLIB_DATA_DIR", tempfile.mkdtemp(prefix="coworklib-test-"))
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
