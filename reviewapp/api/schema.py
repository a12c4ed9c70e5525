"""The OpenAPI schema, built one at a time."""
from __future__ import annotations

import threading

from drf_spectacular.views import SpectacularAPIView

# ---------------------------------------------------------------- the schema

class SchemaApi(SpectacularAPIView):
    """The OpenAPI schema. drf-spectacular loads its extensions while building the first one and
    is not safe to build two at once (threads of a cold server may crash it), so one at a time."""

    _building = threading.Lock()

    def _get_schema_response(self, request):
        with self._building:
            return super()._get_schema_response(request)
