# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Controller-side base of the collection's inventory plugins, the counterpart of ``base_module.py``.

It reads the common connection options (same names and environment variables as the modules) and the
``accounts`` option (other accounts through IAM agencies), fetches every account x region side by side through the
shared client, keeps one target's failure from hiding the others when asked to, and caches what was fetched (never
a secret) so that a cache hit sends no request.
"""

import difflib
import hashlib
import json
import re

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HAS_REQUESTS, HuaweiCloudClient, agency_credentials
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import common_argument_spec
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.concurrency import check_concurrency, run_bounded
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import AUTH_AKSK, AUTH_PASSWORD, ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, HuaweiCloudError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.redaction import Redactor
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.inventory.accounts import AGENCY_OPTIONS, plan_targets
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.inventory.hosts import InventoryOptionError

# Options that never enter the cache key: secrets (the key is built from an identity, never from a secret) and the
# cache's own settings. Any option whose name looks secret is left out too, so that a new one cannot slip in.
_SECRET_OPTIONS = tuple(sorted(name for name, spec in common_argument_spec().items() if spec.get('no_log')))
_LOOKS_SECRET = re.compile(r'secret|password|token|passphrase|private', re.IGNORECASE)
_CACHE_OPTIONS = ('cache', 'cache_connection', 'cache_plugin', 'cache_prefix', 'cache_timeout')


class TargetFailure(Exception):
    """One account x region could not be listed; carries the target so that the message names both."""

    def __init__(self, target, error):
        super(TargetFailure, self).__init__('%s: %s' % (target, error))
        self.target = target


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

    def populate(self, targets_data, settings):
        """Add hosts and groups from ``[{'account', 'region', 'project_id', ...fetch_region data}]`` (``account``
        is the label of an ``accounts`` entry, None without that option)."""
        raise NotImplementedError

    def parse(self, inventory, loader, path, cache=True):
        super(HuaweiCloudInventoryBase, self).parse(inventory, loader, path, cache)
        config = self._read_config_data(path)
        self._refuse_unknown_options(config)
        if not HAS_REQUESTS:
            raise AnsibleError('the %s inventory plugin needs the Python library requests on the controller' % self.NAME)
        settings = self.check_options()
        concurrency = self._concurrency()
        targets = self._targets()

        cache_key = self._cache_key(path, targets)
        targets_data = None
        if self.get_option('cache') and cache:
            targets_data = self._read_cache(cache_key, [target for target, _config in targets])
        if targets_data is None:
            targets_data, complete = self._fetch_targets(targets, concurrency)
            if self.get_option('cache'):
                if complete:
                    self._cache[cache_key] = targets_data
                else:
                    self.display.warning('%s: the cache is not updated, an account or region is missing' % self.NAME)
        self.populate(targets_data, settings)

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

    def _targets(self):
        """``[(Target, ClientConfig)]`` for every account x region, in order, before any request: a bad second
        region or account entry fails before the first one is listed."""
        params = self.connection_params()
        # agency_duration has a default and only matters with an agency: it applies to every entry that sets none.
        top_level_agency = [name for name in AGENCY_OPTIONS if name != 'agency_duration' and params.get(name) is not None]
        try:
            planned = plan_targets(self.get_option('accounts'), self.regions, top_level_agency)
        except InventoryOptionError as error:
            raise AnsibleError('%s: %s' % (self.NAME, error))
        if len(set(target.account for target in planned)) > 1 and params.get('project_id'):
            raise AnsibleError('%s: project_id belongs to one account and region; with accounts leave it unset and each '
                               "account's projects are looked up with IAM" % self.NAME)
        targets = []
        for target in planned:
            try:
                targets.append((target, ClientConfig(dict(params, region=target.region, **target.agency))))
            except HuaweiCloudConfigError as error:
                raise AnsibleError('%s: %s: %s' % (self.NAME, target, Redactor(self._secrets()).scrub(error)))
        for warning in targets[0][1].warnings():
            self.display.warning('%s: %s' % (self.NAME, warning))
        return targets

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

    def _cache_key(self, path, targets):
        """The cache entry of this file for what it asks and who asks: every option except secrets and the cache
        settings (``accounts`` included: labels and agencies, never a credential), the account x region pairs, each
        one's resolved endpoints (environment included) and the identity. Any change is a miss; a secret is never
        part of it."""
        options = dict((name, value) for name, value in self._options.items()
                       if name not in _SECRET_OPTIONS and name not in _CACHE_OPTIONS and not _LOOKS_SECRET.search(name))
        material = {
            'options': options,
            'targets': [[target.account, target.region] for target, _config in targets],
            'endpoints': [config.endpoints for _target, config in targets],
            'identity': self.identity(targets[0][1]),
        }
        digest = hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode('utf-8')).hexdigest()[:16]
        return '%s_%s' % (self.get_cache_key(path), digest)

    def _read_cache(self, cache_key, targets):
        """The cached account x region data, or None on a miss. An entry that cannot be read or has the wrong shape
        is a miss too, with a warning, and is replaced by this run's answer."""
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
            cached = [(item.get('account'), item.get('region')) for item in data]
            wanted = [target.key for target in targets]
            if sorted(cached, key=str) != sorted(wanted, key=str) or len(set(cached)) != len(cached):
                raise CacheUnusable('it holds %s, not %s' % (_pairs(cached), _pairs(wanted)))
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

    def _fetch_targets(self, targets, concurrency):
        """``(targets_data, complete)``; a failed account x region fails the source, or is skipped with a warning."""
        # One set of temporary credentials per account reached through an agency, shared by its regions (and their
        # threads): each agency is assumed once per run, whatever the number of regions.
        shared = {}
        for target, config in targets:
            if config.agency is not None and target.account not in shared:
                shared[target.account] = self._agency_credentials(config)

        def fetch(target_config):
            target, config = target_config
            # The client's messages are scrubbed of every credential it holds (issued tokens too); scrubbing once
            # more here keeps the plugin's own lines safe whatever the client becomes.
            client = HuaweiCloudClient(config, log=lambda message: self.display.vvv(
                client.secrets.scrub('%s: %s' % (target, message))), pool_size=concurrency,
                credentials=shared.get(target.account))
            try:
                data = self.fetch_region(client, target.region, concurrency)
                data.update(account=target.account, region=target.region, project_id=client.project_id)
                return data, None
            except (HuaweiCloudConfigError, HuaweiCloudError) as error:
                return None, TargetFailure(target, client.secrets.scrub(error))
            finally:
                client.close()

        try:
            results = run_bounded(fetch, targets, concurrency)
        finally:
            for credentials in shared.values():
                credentials.close()
        targets_data = []
        failed = []
        for (data, failure), _unexpected in results:
            if failure is None:
                targets_data.append(data)
            elif self.get_option('fail_on_errors'):
                raise AnsibleError('%s: %s' % (self.NAME, failure))
            else:
                failed.append(failure.target)
                self.display.warning('%s: skipped %s' % (self.NAME, failure))
        return targets_data, not failed

    def _agency_credentials(self, config):
        credentials = agency_credentials(config, log=lambda message: self.display.vvv(
            credentials.secrets.scrub('%s: %s' % (config.agency.describe(), message))))
        return credentials


def _pairs(pairs):
    return ', '.join(('%s/%s' % (account, region)) if account is not None else str(region) for account, region in pairs)
