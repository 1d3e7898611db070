"""ansible-playbook against a server whose answers lack the documented shape: the task fails with the API, the field
and the request id, returns no made-up empty list, and the compliance role never turns it into a pass."""

import json

import pytest

from hostile_server import HostileServer, json_reply

PROJECT = 'c0ffee00c0ffee00c0ffee00c0ffee00'
RID = 'rid-hostile-shape-0001'
CONNECTION = {'HW_ACCESS_KEY': 'HOSTILETESTAK', 'HW_SECRET_KEY': 'hostile-test-secret-key', 'HW_PROJECT_ID': PROJECT,
              'HW_MAX_RETRIES': '0'}


@pytest.fixture
def hostile():
    with HostileServer() as server:
        server.route('GET', r'/audit/instances$', json_reply({'servers': 'oops', 'total': 1},
                                                             headers={'X-Request-Id': RID}))
        yield server


def hostile_env(server):
    return dict(CONNECTION, HW_DBSS_ENDPOINT=server.url, HW_RDS_ENDPOINT=server.url, HW_IAM_ENDPOINT=server.url)


@pytest.mark.all_core_lines  # a module's failure as each line shows it
def test_a_list_of_the_wrong_type_fails_the_task_naming_api_field_and_request_id(run_playbook, hostile):
    run = run_playbook('failure', {'module_args': {}}, env=hostile_env(hostile))
    assert run.rc == 0, run.output
    outcome = run.result
    assert outcome['failed'] is True
    assert outcome['msg'] == ("DBSS GET /v1/{project_id}/audit/instances: field 'servers' is a string ('oops'), "
                              "expected a list (request id %s)" % RID)
    assert outcome['error']['request_id'] == RID
    assert outcome['instances'] == []
    assert len(hostile.requests_to(r'/audit/instances$')) == 1
    assert 'hostile-test-secret-key' not in json.dumps(outcome)


def test_the_compliance_role_does_not_pass_on_a_list_of_the_wrong_type(run_playbook, hostile, tmp_path):
    connection = {'region': 'cn-north-4', 'project_id': PROJECT, 'access_key': CONNECTION['HW_ACCESS_KEY'],
                  'secret_key': CONNECTION['HW_SECRET_KEY'], 'max_retries': 0,
                  'endpoints': {'dbss': hostile.url, 'rds': hostile.url, 'iam': hostile.url}}
    hostile.route('GET', r'/v3/[^/]+/instances$', json_reply({'instances': [], 'total_count': 0}))
    folder = tmp_path / 'report'
    run = run_playbook('compliance', {'play_connection': connection, 'audit_compliance_report_dir': str(folder)},
                       env=hostile_env(hostile))
    assert run.rc != 0
    assert "field 'servers' is a string ('oops'), expected a list (request id %s)" % RID in run.output
    written = json.loads((folder / 'report.json').read_text())
    assert written['summary']['result'] == 'ERROR', written['summary']
