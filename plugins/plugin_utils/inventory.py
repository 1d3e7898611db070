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

import difflib
import hashlib
import json
import re

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.client import HAS_REQUESTS, HuaweiCloudClient, agency_credentials
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import common_argument_spec
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.concurrency import check_concurrency, run_bounded
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.config import AUTH_AKSK, AUTH_PASSWORD, ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.errors import HuaweiCloudConfigError, HuaweiCloudError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.redaction import Redactor

# Options that never enter the cache key: secrets (the key is built from an identity, never from a secret) and the
# cache's own settings. Any option whose name looks secret is left out too, so that a new one cannot slip in.
_SECRET_OPTIONS = tuple(sorted(name for name, spec in common_argument_spec().items() if spec.get('no_log')))
_LOOKS_SECRET = re.compile(r'secret|password|token|passphrase|private', re.IGNORECASE)
_CACHE_OPTIONS = ('cache', 'cache_connection', 'cache_plugin', 'cache_prefix', 'cache_timeout')


class RegionFailure(Exception):
    """One region could not be listed; carries the region so that the message names it."""

    def __init__(self, region, error):
        super(RegionFailure, self).__init__('region %s: %s' % (region, error))
        self.region = region


class CacheUnusable(Exception):
    """A cache entry that is not what this plugin writes (hand-edited, truncated, another version): a miss."""


class HuaweiCloudInventoryBase(BaseInventoryPlugin, Constructable, Cacheable):
    """Subclasses set ``NAME`` and ``CONFIG_SUFFIXES`` and implement ``check_options``, ``fetch_region``,
    ``check_cached_region`` and ``populate``.

    ``parse`` validates every option and builds every region's client settings before the first request (and
    before the cache is read), so that a bad second region or a typo fails at once and names the option."""

    CONFIG_SUFFIXES = ()
    # A configuration file that names this plugin, found by verify_file to explain a wrong file name.
    _PLUGIN_LINE = r'^plugin:[ \t]*[\'"]?%s[\'"]?[ \t]*(#.*)?$'

    def verify_file(self, path):
        if not super(HuaweiCloudInventoryBase, self).verify_file(path):
            return False
        if path.endswith(self.CONFIG_SUFFIXES):
            return True
        if path.endswith(('.yml', '.yaml')) and self._declares_this_plugin(path):
            # Ansible only says the source "could not be verified"; say what would make it one.
            self.display.warning('%s: %s names this plugin but is not read: the file name must end with %s'
                                 % (self.NAME, path, ' or '.join(self.CONFIG_SUFFIXES)))
        return False

    def _declares_this_plugin(self, path):
        try:
            with open(path, 'rb') as handle:
                head = handle.read(65536).decode('utf-8', 'replace')
        except (IOError, OSError):
            return False
        return re.search(self._PLUGIN_LINE % re.escape(self.NAME), head, re.MULTILINE) is not None

    def check_options(self):
        """Validate the plugin's own options and return what ``populate`` needs; raise AnsibleError. No request."""
        raise NotImplementedError

    def fetch_region(self, client, region, concurrency):
        """Return the JSON-serialisable data of one region (it is what the cache stores)."""
        raise NotImplementedError

    def check_cached_region(self, data):
        """Raise CacheUnusable when one cached region's data is not what ``fetch_region`` returns."""
        raise NotImplementedError

    def populate(self, regions_data, settings):
        """Add hosts and groups from ``[{'region', 'project_id', ...fetch_region data}]``."""
        raise NotImplementedError

    def parse(self, inventory, loader, path, cache=True):
        super(HuaweiCloudInventoryBase, self).parse(inventory, loader, path, cache)
        config = self._read_config_data(path)
        self._refuse_unknown_options(config)
        if not HAS_REQUESTS:
            raise AnsibleError('the %s inventory plugin needs the Python library requests on the controller' % self.NAME)
        settings = self.check_options()
        concurrency = self._concurrency()
        configs = self._client_configs()

        cache_key = self._cache_key(path, configs)
        regions_data = None
        if self.get_option('cache') and cache:
            regions_data = self._read_cache(cache_key, list(configs))
        if regions_data is None:
            regions_data, complete = self._fetch_regions(configs, concurrency)
            if self.get_option('cache'):
                if complete:
                    self._cache[cache_key] = regions_data
                else:
                    self.display.warning('%s: the cache is not updated, a region is missing' % self.NAME)
        self.populate(regions_data, settings)

    def _refuse_unknown_options(self, config):
        allowed = sorted(self._options)
        unknown = sorted(str(key) for key in config if key not in self._options)
        if unknown:
            hints = ['%s (did you mean %s?)' % (key, difflib.get_close_matches(key, allowed, 1)[0])
                     if difflib.get_close_matches(key, allowed, 1) else key for key in unknown]
            raise AnsibleError('%s: unknown option(s) %s; allowed options are %s'
                               % (self.NAME, ', '.join(hints), ', '.join(allowed)))

    def _concurrency(self):
        try:
            return check_concurrency(self.get_option('concurrency'))
        except HuaweiCloudConfigError as error:
            raise AnsibleError('%s: %s' % (self.NAME, error))

    def connection_params(self):
        return dict((name, self.get_option(name)) for name in common_argument_spec())

    def _secrets(self):
        return [self.get_option(name) for name in _SECRET_OPTIONS if isinstance(self.get_option(name), str)]

    def regions(self):
        """The regions to list, de-duplicated in their order; each a non-empty string without surrounding space."""
        option, regions = 'regions', self.get_option('regions')
        if not regions:
            option, regions = 'region (HW_REGION_NAME)', [self.get_option('region')] if self.get_option('region') else []
        if not regions:
            raise AnsibleError('%s: set regions (a list) or region (or HW_REGION_NAME)' % self.NAME)
        wrong = [region for region in regions if not isinstance(region, str) or not region.strip() or region != region.strip()]
        if wrong:
            raise AnsibleError('%s: %s must be region names such as cn-north-4, got %s'
                               % (self.NAME, option, ', '.join(repr(region) for region in wrong)))
        regions = list(dict.fromkeys(regions))
        if len(regions) > 1 and self.get_option('project_id'):
            raise AnsibleError('%s: project_id belongs to one region; with several regions leave it unset and each '
                               "region's project is looked up with IAM" % self.NAME)
        return regions

    def _client_configs(self):
        """``{region: ClientConfig}`` for every region, in order, before any request: a bad second region fails
        before the first one is listed."""
        params = self.connection_params()
        configs = {}
        for region in self.regions():
            try:
                configs[region] = ClientConfig(dict(params, region=region))
            except HuaweiCloudConfigError as error:
                raise AnsibleError('%s: region %s: %s' % (self.NAME, region, Redactor(self._secrets()).scrub(error)))
        for warning in next(iter(configs.values())).warnings():
            self.display.warning('%s: %s' % (self.NAME, warning))
        return configs

    @staticmethod
    def identity(config):
        """Who asks, without a secret: the access key ID (not secret: it travels in every request), or the user
        and account. A token is never hashed into the key: with auth_token the key holds the user_name,
        domain_name and project_id options when set, so tokens of one project and user share an entry."""
        if config.auth_method == AUTH_AKSK:
            identity = {'method': 'aksk', 'access_key': config.access_key, 'temporary': bool(config.security_token)}
        elif config.auth_method == AUTH_PASSWORD:
            identity = {'method': 'password', 'user_name': config.user_name, 'domain_name': config.domain_name}
        else:
            identity = {'method': 'token', 'user_name': config.user_name, 'domain_name': config.domain_name,
                        'project_id': config.project_id}
        if getattr(config, 'agency', None) is not None:
            # Another account's data: its own entry (the agency and account, never the temporary credentials).
            identity['agency'] = config.agency.identity()
        return identity

    def _cache_key(self, path, configs):
        """The cache entry of this file for what it asks and who asks: every option except secrets and the cache
        settings, the de-duplicated regions, each region's resolved endpoints (environment included) and the
        identity. Any change is a miss; a secret is never part of it."""
        options = dict((name, value) for name, value in self._options.items()
                       if name not in _SECRET_OPTIONS and name not in _CACHE_OPTIONS and not _LOOKS_SECRET.search(name))
        first = next(iter(configs.values()))
        material = {
            'options': options,
            'regions': list(configs),
            'endpoints': dict((region, config.endpoints) for region, config in configs.items()),
            'identity': self.identity(first),
        }
        digest = hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode('utf-8')).hexdigest()[:16]
        return '%s_%s' % (self.get_cache_key(path), digest)

    def _read_cache(self, cache_key, regions):
        """The cached regions, or None on a miss. An entry that cannot be read or has the wrong shape is a miss
        too, with a warning, and is replaced by this run's answer."""
        try:
            data = self._cache[cache_key]
        except KeyError:
            return None
        except Exception as error:  # pylint: disable=broad-except
            # A corrupt file makes Ansible's file caches raise; reading anew is always possible.
            self.display.warning('%s: the inventory cache could not be read (%s); listing the regions again'
                                 % (self.NAME, str(error).splitlines()[0] if str(error) else type(error).__name__))
            return None
        try:
            if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
                raise CacheUnusable('not a list of regions')
            cached = [item.get('region') for item in data]
            if sorted(map(str, cached)) != sorted(regions) or len(set(map(str, cached))) != len(cached):
                raise CacheUnusable('it holds regions %s, not %s' % (', '.join(map(str, cached)), ', '.join(regions)))
            for item in data:
                if not isinstance(item.get('project_id'), str):
                    raise CacheUnusable('region %s has no project_id' % item['region'])
                self.check_cached_region(item)
        except CacheUnusable as error:
            self.display.warning('%s: the inventory cache entry has the wrong shape (%s); listing the regions again'
                                 % (self.NAME, error))
            return None
        self.display.vvv('%s: inventory from the cache, no request sent' % self.NAME)
        return data

    def _fetch_regions(self, configs, concurrency):
        """``(regions_data, complete)``; a failed region fails the source, or is skipped with a warning."""
        first = next(iter(configs.values()))
        # With an agency, one set of temporary credentials for every region: the agency is assumed once per run.
        shared = None
        if first.agency is not None:
            shared = agency_credentials(first, log=lambda message: self.display.vvv(
                shared.secrets.scrub('%s: %s' % (first.agency.describe(), message))))

        def fetch(region):
            # The client's messages are scrubbed of every credential it holds (issued tokens too); scrubbing once
            # more here keeps the plugin's own lines safe whatever the client becomes.
            client = HuaweiCloudClient(configs[region], log=lambda message: self.display.vvv(
                client.secrets.scrub('%s: %s' % (region, message))), pool_size=concurrency, credentials=shared)
            try:
                data = self.fetch_region(client, region, concurrency)
                data.update(region=region, project_id=client.project_id)
                return data, None
            except (HuaweiCloudConfigError, HuaweiCloudError) as error:
                return None, RegionFailure(region, client.secrets.scrub(error))
            finally:
                client.close()

        try:
            results = run_bounded(fetch, list(configs), concurrency)
        finally:
            if shared is not None:
                shared.close()
        regions_data = []
        failed = []
        for (data, failure), _unexpected in results:
            if failure is None:
                regions_data.append(data)
            elif self.get_option('fail_on_errors'):
                raise AnsibleError('%s: %s' % (self.NAME, failure))
            else:
                failed.append(failure.region)
                self.display.warning('%s: skipped %s' % (self.NAME, failure))
        return regions_data, not failed
