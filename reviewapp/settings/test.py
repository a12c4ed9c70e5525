"""Test settings: base plus fast hashing and plain HTTP; the database comes from DATABASE_URL."""
import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
RANKING_FEATURES_DIR = VAR_DIR / "test-ranking-features"  # noqa: F405
# Tests run tasks in-process; the live-worker round trip uses send_task, which never runs eagerly.
CELERY_TASK_ALWAYS_EAGER = True
# Serve static files through the finders, so tests need no collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Each test process keeps its own cache, so tests cannot see each other's entries.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests receive webhook deliveries on a loopback HTTP server.
WEBHOOK_ALLOW_LOOPBACK = True
# CI migrates one template database first (.ci/run sets TEST_DATABASE_TEMPLATE): each test database (one per
# xdist worker, and the live pass's) is then a copy of it, and its migrate finds nothing left to apply,
# instead of every test process running all the migrations again (about 20 s each on CI's machine).
if os.environ.get("TEST_DATABASE_TEMPLATE") and DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = os.environ["TEST_DATABASE_TEMPLATE"]  # noqa: F405
