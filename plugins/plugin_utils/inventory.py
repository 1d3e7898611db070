# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Controller-side base of the collection's inventory plugins, the counterpart of ``base_module.py``.

It reads the common connection options (same names and environment variables as the modules), fetches every
region side by side through the shared client, keeps one region's failure from hiding the others when asked to,
and caches what was fetched (never a secret) so that a cache hit sends no request.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.client import HAS_REQUESTS, HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import common_argument_spec
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.concurrency import check_concurrency, run_bounded
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.errors import HuaweiCloudConfigError, HuaweiCloudError

# Options that decide what is fetched; the cache key covers them so that a changed source is fetched anew.
_CACHE_KEY_OPTIONS = ('cloud', 'endpoints', 'project_id', 'regions')


class RegionFailure(Exception):
    """One region could not be listed; carries the region so that the message names it."""

    def __init__(self, region, error):
        super(RegionFailure, self).__init__('region %s: %s' % (region, error))
        self.region = region


class HuaweiCloudInventoryBase(BaseInventoryPlugin, Constructable, Cacheable):
    """Subclasses set ``NAME`` and ``CONFIG_SUFFIXES`` and implement ``fetch_region`` and ``populate``."""

    CONFIG_SUFFIXES = ()

    def verify_file(self, path):
        return super(HuaweiCloudInventoryBase, self).verify_file(path) and path.endswith(self.CONFIG_SUFFIXES)

    def fetch_region(self, client, region, concurrency):
        """Return the JSON-serialisable data of one region (it is what the cache stores)."""
        raise NotImplementedError

    def populate(self, regions_data):
        """Add hosts and groups from ``[{'region', 'project_id', ...fetch_region data}]``."""
        raise NotImplementedError

    def parse(self, inventory, loader, path, cache=True):
        super(HuaweiCloudInventoryBase, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        if not HAS_REQUESTS:
            raise AnsibleError('the %s inventory plugin needs the Python library requests on the controller' % self.NAME)

        cache_key = self._cache_key(path)
        use_cache = self.get_option('cache') and cache
        regions_data = None
        if use_cache:
            try:
                regions_data = self._cache[cache_key]
                self.display.vvv('%s: inventory from the cache, no request sent' % self.NAME)
            except KeyError:
                regions_data = None
        if regions_data is None:
            regions_data = self._fetch_regions()
            if self.get_option('cache'):
                self._cache[cache_key] = regions_data
        self.populate(regions_data)

    def _cache_key(self, path):
        fetched = dict((name, self.get_option(name)) for name in _CACHE_KEY_OPTIONS)
        digest = hashlib.sha256(json.dumps(fetched, sort_keys=True, default=str).encode('utf-8')).hexdigest()[:12]
        return '%s_%s' % (self.get_cache_key(path), digest)

    def connection_params(self):
        return dict((name, self.get_option(name)) for name in common_argument_spec())

    def regions(self):
        regions = self.get_option('regions') or ([self.get_option('region')] if self.get_option('region') else [])
        if not regions:
            raise AnsibleError('%s: set regions (a list) or region (or HW_REGION_NAME)' % self.NAME)
        if len(regions) > 1 and self.get_option('project_id'):
            raise AnsibleError('%s: project_id belongs to one region; with several regions leave it unset and each '
                               "region's project is looked up with IAM" % self.NAME)
        return list(dict.fromkeys(regions))

    def _fetch_regions(self):
        try:
            concurrency = check_concurrency(self.get_option('concurrency'))
        except HuaweiCloudConfigError as error:
            raise AnsibleError('%s: %s' % (self.NAME, error))
        regions = self.regions()
        params = self.connection_params()

        def fetch(region):
            try:
                client = HuaweiCloudClient(ClientConfig(dict(params, region=region)),
                                           log=lambda message: self.display.vvv('%s: %s' % (region, message)),
                                           pool_size=concurrency)
                data = self.fetch_region(client, region, concurrency)
                data.update(region=region, project_id=client.project_id)
                return data, None
            except (HuaweiCloudConfigError, HuaweiCloudError) as error:
                return None, RegionFailure(region, error)

        regions_data = []
        for (data, failure), _unexpected in run_bounded(fetch, regions, concurrency):
            if failure is None:
                regions_data.append(data)
            elif self.get_option('fail_on_errors'):
                raise AnsibleError('%s: %s' % (self.NAME, failure))
            else:
                self.display.warning('%s: skipped %s' % (self.NAME, failure))
        return regions_data
