"""Settings of the test suite and the type checker: the base settings with throw-away keys.

The base settings refuse to start without ``SECRET_KEY`` and ``CHILD_REF_KEY`` (outside
development and the demo). Tests run with ``DEBUG`` off, as in production, so the keys are set
here, before the base settings read them; a key already in the environment is kept.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("CHILD_REF_KEY", "test-child-ref-key-not-for-production-0123456789")

from config.settings import *  # noqa: F403
