# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""One API served at two paths: the current one, and the legacy one that older deployments still answer.

Huawei Cloud moves APIs to new paths and takes the old ones offline later, region by region: a region may not
serve the current path yet. A request goes to the current path; only when the API gateway answers that no such
API exists there (HTTP 404 with ``APIGW.0101``) is it sent to the legacy path, and so is every later request of the
same run. Any other failure, a 404 of the service itself included (an unknown instance), is the answer.
"""

import threading

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import api_path
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudError

API_NOT_FOUND = 'APIGW.0101'


def is_api_not_found(error):
    """The gateway's "no such API" (404 ``APIGW.0101``), not a service's 404 about a resource."""
    return isinstance(error, HuaweiCloudError) and error.status == 404 and error.error_code == API_NOT_FOUND


class Endpoint:
    """One path of an API: ``segments(project_id, instance_id)`` gives the path's segments; ``name`` names it in
    messages (``DBSS POST /v2/{project_id}/audit/{instance_id}/sqls``)."""

    def __init__(self, method, name, segments):
        self.method = method
        self.name = name
        self.segments = segments

    def path(self, project_id, instance_id):
        return api_path(*self.segments(project_id, instance_id))


class Answer:
    """An ``ApiResponse`` and the name of the API that gave it, so that a shape error names the path that
    answered."""

    def __init__(self, response, api):
        self.body = response.body
        self.request_id = response.request_id
        self.headers = response.headers
        self.api = api


class FallbackRoute:
    """The current endpoint, falling back to ``legacy`` (None: no fallback) for the rest of the run once the
    gateway does not know the current one. Thread-safe: pages of many instances share one route."""

    def __init__(self, current, legacy=None):
        self.current = current
        self.legacy = legacy
        self._use_legacy = False
        self._lock = threading.Lock()

    @property
    def using_legacy(self):
        with self._lock:
            return self._use_legacy

    def request(self, client, instance_id, query=None, body=None, legacy_query=None, legacy_body=None):
        """Send to the endpoint in use; ``legacy_query``/``legacy_body`` replace ``query``/``body`` on the legacy
        path when it takes other parameters. Reading requests only: retried like a GET."""
        if not self.using_legacy:
            try:
                return self._send(client, self.current, instance_id, query, body)
            except HuaweiCloudError as error:
                if self.legacy is None or not is_api_not_found(error):
                    raise
                with self._lock:
                    self._use_legacy = True
        return self._send(client, self.legacy, instance_id, legacy_query if legacy_query is not None else query,
                          legacy_body if legacy_body is not None else body)

    @staticmethod
    def _send(client, endpoint, instance_id, query, body):
        response = client.request(endpoint.method, 'dbss', endpoint.path(client.project_id, instance_id), query, body,
                                  None, True, True)
        return Answer(response, endpoint.name)
