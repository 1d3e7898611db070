"""ansible-inventory with the hwcloud.dbaudit.dbss plugin against a hostile DBSS endpoint (tests/support/hostile_server.py)
that names its audit instances after reserved hosts, patterns and groups, or reflects credentials back."""

import json
import os
import subprocess
import sys

import pytest

from hostile_server import HostileServer, echo_headers, json_reply, project_lookup

# Hostile names reach Ansible's own inventory (groups, localhost, untrusted values), which differs between
# ansible-core lines (docs/contributing.md, "Tests").
pytestmark = pytest.mark.all_core_lines

BIN_DIR = os.path.dirname(os.path.abspath(sys.executable))
LIST = r'/audit/instances$'
PROJECT = 'f' * 32


def record(number, name, **fields):
    item = {'id': 'inst-%04d' % number, 'name': name, 'connect_ip': '192.168.0.%d' % number, 'status': 'ACTIVE',
            'zone': 'cn-north-4a', 'vpc_id': 'vpc-1', 'charge_model': 'Period', 'new_version': None}
    item.update(fields)
    return item


@pytest.fixture
def hostile():
    with HostileServer() as server:
        server.route('GET', r'^/v3/projects$', project_lookup(PROJECT))
        yield server


@pytest.fixture
def run(ansible_env, hostile, tmp_path):
    env = dict(ansible_env, HW_ACCESS_KEY='HOSTILEACCESSKEY', HW_SECRET_KEY='hostile-secret-key-do-not-show',
               HW_DBSS_ENDPOINT=hostile.url, HW_IAM_ENDPOINT=hostile.url, HW_MAX_RETRIES='0',
               ANSIBLE_INVENTORY_UNPARSED_FAILED='true')

    def inventory(instances, config='', sources=(), extra_env=None, args=('--list',), playbook=None):
        if instances is not None:  # None: keep the route the test set
            hostile.route('GET', LIST, json_reply({'servers': instances, 'total': len(instances)}))
        path = tmp_path / 'hostile.dbss.yml'
        path.write_text('plugin: hwcloud.dbaudit.dbss\nregion: cn-north-4\n' + config)
        command = [os.path.join(BIN_DIR, 'ansible-playbook' if playbook else 'ansible-inventory')]
        for source in list(sources) + [str(path)]:
            command += ['-i', source]
        process = subprocess.run(command + list(args) + ([playbook] if playbook else []), env=dict(env, **(extra_env or {})), capture_output=True,
                                 text=True, timeout=300, check=False)
        return process
    return inventory


def plain(value):
    """ansible-inventory marks values from inventory plugins as untrusted; the tests compare the values."""
    if isinstance(value, dict):
        if '__ansible_unsafe' in value:
            return value['__ansible_unsafe']
        return dict((key, plain(item)) for key, item in value.items())
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def listed(process):
    assert process.returncode == 0, process.stdout + process.stderr
    data = plain(json.loads(process.stdout))
    return data, data['_meta']['hostvars']


def one_line(process):
    return ' '.join((process.stdout + process.stderr).split())


# Names Ansible would read as the controller, a pattern, a range, a list or a file, or that it would mangle.
HOSTILE_NAMES = ['localhost', 'LocalHost', 'localhost.localdomain', 'ip6-localhost', 'db.localhost', '127.0.0.1',
                 '127.1', '2130706433', '0x7f.0.0.1', '0.0.0.0', '0', '169.254.169.254', '10.9.9.9', 'web*', 'db?',
                 'a b', 'x[1:3]', 'a,b', 'a:b', '!prod', 'prod&db', '~^.*$', '@hosts.txt', '-dash', 'dot.', 'name\n',
                 'l\u043ecalhost', 'all', 'ungrouped', 'x' * 129]


def test_reserved_and_pattern_names_fall_back_to_the_id(run):
    instances = [record(number, name) for number, name in enumerate(HOSTILE_NAMES, start=1)]
    instances.append(record(200, 'fine-name.example_1'))
    process = run(instances)
    data, hostvars = listed(process)
    expected = dict((item['id'], item) for item in instances[:-1])
    expected['fine-name.example_1'] = instances[-1]
    assert sorted(hostvars) == sorted(expected)
    for host, item in expected.items():
        assert hostvars[host]['dbss_id'] == item['id']
        assert hostvars[host]['ansible_host'] == item['connect_ip']
    assert 'localhost' not in hostvars and 'all' not in hostvars
    output = one_line(process)
    # Each fallback is a warning that names the instance and the reason.
    assert "audit instance 'inst-0001' is named by its ID: name 'localhost': it is a reserved name" in output
    assert "name '2130706433': it is the address 127.0.0.1, reserved" in output
    assert "name '10.9.9.9': it is an IP address (10.9.9.9) other than the instance's connect_ip" in output


def test_localhost_play_stays_on_the_controller(run, tmp_path):
    """The role's recommended `hosts: localhost` play must run on the controller, not over SSH to an instance."""
    playbook = tmp_path / 'local.yml'
    playbook.write_text('- hosts: localhost\n  gather_facts: false\n  tasks:\n'
                        '    - ansible.builtin.debug:\n        msg: "where={{ ansible_connection | default(\'ssh\') }} {{ ansible_host | default(\'\') }}"\n')
    process = run([record(1, 'localhost'), record(2, '127.0.0.1')], args=('--list',))
    data, hostvars = listed(process)
    assert sorted(hostvars) == ['inst-0001', 'inst-0002']
    process = run(None, args=(), playbook=str(playbook))
    assert process.returncode == 0, process.stdout + process.stderr
    assert 'where=local' in process.stdout and '192.168.0.' not in process.stdout


@pytest.mark.parametrize('name', ['dbss', 'all', 'ungrouped', 'status_ACTIVE', 'region_cn_north_4', 'zone_cn_north_4a',
                                  'vpc_vpc_1', 'needs_upgrade', 'billing_Period', 'audit_1'])
def test_a_host_never_takes_a_group_name(run, name):
    """Before, `dbss`, `all`, default, composed and keyed group names made the source fail (recursive group loop)
    or turned the host into the group."""
    config = ('groups:\n  needs_upgrade: dbss_new_version is not none\n'
              'keyed_groups:\n  - key: dbss_charge_model\n    prefix: billing\n'
              '  - key: dbss_name | regex_replace("^x-", "")\n    prefix: audit\n')
    instances = [record(1, name), record(2, 'x-1', new_version='2.0'), record(3, 'other')]
    process = run(instances, config)
    data, hostvars = listed(process)
    assert sorted(hostvars) == ['inst-0001', 'other', 'x-1']
    assert set(data['dbss']['hosts']) == set(hostvars)
    assert data['needs_upgrade']['hosts'] == ['x-1']
    assert set(data['billing_Period']['hosts']) == set(hostvars)
    assert "audit instance 'inst-0001' is named by its ID" in one_line(process)


def test_group_names_from_other_sources_are_taken_too(run, tmp_path):
    static = tmp_path / 'static.ini'
    static.write_text('[webservers]\nweb1 ansible_host=10.1.1.1\nlocal-db ansible_host=10.1.1.2\n')
    process = run([record(1, 'webservers'), record(2, 'web1'), record(3, 'local-db'), record(4, 'new-one')],
                  sources=[str(static)])
    data, hostvars = listed(process)
    assert sorted(hostvars) == ['inst-0001', 'inst-0002', 'inst-0003', 'local-db', 'new-one', 'web1']
    # The hosts of the static inventory keep their own variables and groups.
    assert hostvars['web1'] == {'ansible_host': '10.1.1.1'}
    assert hostvars['local-db'] == {'ansible_host': '10.1.1.2'}
    assert set(data['webservers']['hosts']) == {'web1', 'local-db'}
    assert set(data['dbss']['hosts']) == {'inst-0001', 'inst-0002', 'inst-0003', 'new-one'}


def test_an_unusable_id_skips_the_instance_with_a_warning(run):
    instances = [record(1, 'localhost', id='localhost'), record(2, 'bad name', id='bad id'), record(3, 'all', id='dbss'),
                 record(4, 'kept')]
    process = run(instances)
    data, hostvars = listed(process)
    assert sorted(hostvars) == ['kept']
    output = one_line(process)
    assert "audit instance 'localhost' skipped: no usable host name" in output
    assert "audit instance 'bad id' skipped" in output
    assert "audit instance 'dbss' skipped" in output and "ID 'dbss': it is the name of a group" in output


def test_hostnames_connect_ip_is_its_own_address_only(run):
    instances = [record(1, 'a', connect_ip='127.0.0.1'), record(2, 'b', connect_ip='10.0.0.2'),
                 record(3, 'c', connect_ip='0.0.0.0')]
    data, hostvars = listed(run(instances, 'hostnames: [connect_ip]\n'))
    assert sorted(hostvars) == ['10.0.0.2', 'inst-0001', 'inst-0003']


def test_reflected_token_never_shows(run, hostile):
    """A proxy that echoes every request header (X-Auth-Token included) into its error answer: the failure, the
    warning of a skipped region and the -vvv log name the region, never the token."""
    token = 'MIIhostile-token-value-0123456789'
    hostile.route('GET', LIST, echo_headers(status=500))
    token_env = {'HW_AUTH_TOKEN': token, 'HW_ACCESS_KEY': '', 'HW_SECRET_KEY': '', 'HW_PROJECT_ID': PROJECT}
    for fail_on_errors in ('true', 'false'):
        process = run(None, 'fail_on_errors: %s\n' % fail_on_errors, extra_env=token_env, args=('--list', '-vvv'))
        assert token in hostile.requests_to(LIST)[-1]['headers'].get('X-Auth-Token', ''), 'the token was sent'
        output = process.stdout + process.stderr
        assert 'region cn-north-4' in output and 'HTTP 500' in output
        assert token not in output
        assert (process.returncode != 0) is (fail_on_errors == 'true')
