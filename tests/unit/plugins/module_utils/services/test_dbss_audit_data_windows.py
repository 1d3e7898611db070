"""Audit-data windows (issue "Fidelity to the real cloud"): the service's time range includes both ends, so a record
on a window's edge comes in two windows and must never count twice towards ``limit``; and a total at the 10,000-record
cap may be the cap itself (the console clips totals there), so it means "possibly more": split, and only a one-second
window that still reaches the cap is reported as truncated. Real HTTP against the simulator (tests/support/audit_data_sim.py),
with totals true or clipped (``set_clip_audit_totals``) and its result window narrowed to the tests' cap (``small_cap``)."""

import collections
import datetime

import pytest

from audit_data_sim import dbss_time

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services import dbss_audit_data
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss_audit_data import list_audit_alarms, list_audit_sqls

from dbaudit_simulator import Simulator, SimulatorConfig

UTC = datetime.timezone.utc
END = datetime.datetime(2026, 11, 2, tzinfo=UTC)
START = END - datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)
REGION = 'cn-north-4'


def client_for(url, access_key, secret_key, project_id):
    config = ClientConfig(dict(region=REGION, project_id=project_id, max_retries=0, access_key=access_key,
                               secret_key=secret_key, endpoints={'dbss': url, 'rds': url, 'iam': url}), environ={})
    return HuaweiCloudClient(config, sleep=lambda _seconds: None)


def newest(records, count, field='start_time'):
    return [record['id'] for record in sorted(records, key=lambda record: record[field], reverse=True)[:count]]


def ids(records):
    return [record['id'] for record in records]


@pytest.mark.parametrize('clip', [False, True])
def test_one_statement_a_second_and_a_limit_of_their_number_returns_them_all(audit, small_cap, clip):
    # Split windows share their edge second, which holds a statement: the old count lost the oldest statements.
    audit.sim.set_clip_audit_totals(clip)
    audit.add_sqls(audit.a, 1000, START + SECOND)
    held = audit.sqls_in(audit.a, START, END)
    result = list_audit_sqls(audit.client(), [audit.a], START, END, limit=len(held), max_workers=4)
    assert ids(result['sqls']) == newest(held, 1000) and len(held) == 1000
    assert result['truncated_windows'] == [] and result['limit_reached'] is True
    # Some window edge did fall on a statement: the same statement was answered twice.
    answered = [sql['sql']['id'] for request in audit.sql_requests() for sql in request['answer']['sqls']]
    assert len(answered) > len(set(answered))


def test_a_statement_on_the_edge_of_two_30_day_windows_counts_once(audit):
    start = END - datetime.timedelta(days=40)
    edge = END - datetime.timedelta(days=30)
    records = audit.add_sqls(audit.a, 3, edge - SECOND) + audit.add_sqls(audit.a, 1, start + SECOND)
    held = audit.sqls_in(audit.a, start, END)
    result = list_audit_sqls(audit.client(), [audit.a], start, END, limit=len(held), max_workers=4)
    assert sorted(ids(result['sqls'])) == sorted(ids(held)) == sorted(ids(records))
    assert result['limit_reached'] is True


def test_alarms_on_window_edges_count_once(audit, small_cap):
    audit.add_alarms(audit.a, 900, START + SECOND, step=SECOND)
    held = audit.alarms_in(audit.a, START, END)
    result = list_audit_alarms(audit.client(), [audit.a], START, END, limit=len(held), max_workers=4)
    assert sorted(ids(result['alarms'])) == sorted(ids(held)) and len(held) == 900
    assert result['truncated_windows'] == []


def test_a_total_clipped_at_the_cap_is_split_never_taken_as_everything(audit, small_cap):
    audit.sim.set_clip_audit_totals(True)
    audit.add_sqls(audit.a, 1000, START + SECOND, step=30 * SECOND)
    result = list_audit_sqls(audit.client(), [audit.a], START, END, limit=5000, max_workers=4)
    assert ids(result['sqls']) == newest(audit.sqls_in(audit.a, START, END), 1000)
    assert result['truncated_windows'] == []
    assert audit.sql_requests()[0]['answer']['total'] == small_cap, 'the first total was clipped'


def test_a_total_exactly_at_the_cap_is_split_too(audit, small_cap):
    audit.add_sqls(audit.a, small_cap, START + SECOND, step=30 * SECOND)
    result = list_audit_sqls(audit.client(), [audit.a], START, END, limit=5000, max_workers=4)
    assert ids(result['sqls']) == newest(audit.sqls_in(audit.a, START, END), small_cap)
    assert result['truncated_windows'] == []
    assert len({request['json']['time']['start_time'] for request in audit.sql_requests()}) > 1


@pytest.mark.parametrize('crowd', [300, 500])
def test_a_one_second_window_at_the_clipped_cap_is_reported_as_truncated(audit, small_cap, crowd):
    audit.sim.set_clip_audit_totals(True)
    crowded = START + datetime.timedelta(hours=5)
    audit.add_sqls(audit.a, crowd, crowded, step=datetime.timedelta(0))
    early = audit.add_sqls(audit.a, 20, START + SECOND)
    result = list_audit_sqls(audit.client(), [audit.a], START, END, limit=5000, max_workers=4)
    returned = ids(result['sqls'])
    # Either every record, or a reported truncation: here the crowded second cannot be read whole.
    assert set(ids(early)) <= set(returned)
    assert len(returned) == small_cap + len(early)
    assert result['truncated_windows']
    # Windows share their edge second: each one-second window holding the crowded second is reported.
    for window in result['truncated_windows']:
        assert (window['total'], window['returned']) == (small_cap, small_cap)
        assert window['start_time'] <= '2026-11-01T05:00:00+0000' <= window['end_time']
        assert parse_span(window) == SECOND


@pytest.fixture(scope='module')
def clipping_simulator():
    # 600 statements a day for 45 days: about 18,000 in a 30-day window, reported as 10,000.
    server = Simulator(SimulatorConfig(regions=(REGION,), instances=2, sql_per_instance_per_day=600,
                                       clip_audit_totals=True, member_accounts=()))
    server.start(host='127.0.0.1', port=0)
    yield server
    server.stop()


def test_the_clipping_simulator_gives_every_statement_or_a_reported_truncation(clipping_simulator):
    sim = clipping_simulator
    region = sim.data.regions[REGION]
    instance_id = max(region.audit_data.ids(), key=region.audit_data.sql_count)
    expected = [record['id'] for record in region.audit_data.series(instance_id).dicts()]
    assert len(expected) > dbss_audit_data.QUERY_RECORD_CAP
    end = sim.data.now.replace(microsecond=0) + SECOND
    start = end - datetime.timedelta(days=50)
    client = client_for(sim.url, sim.credentials['access_key'], sim.credentials['secret_key'], region.project_id)
    result = list_audit_sqls(client, [instance_id], start, end, limit=200000, max_workers=4)
    returned = ids(result['sqls'])
    assert len(returned) == len(set(returned))
    if result['truncated_windows']:
        assert all(parse_span(window) <= SECOND for window in result['truncated_windows'])
    else:
        assert sorted(returned) == sorted(expected)
    # Here no second holds 10,000 statements: every one is returned, and nothing is reported.
    busiest = max(collections.Counter(record['start_time'] for record in
                                      region.audit_data.series(instance_id).dicts()).values())
    assert busiest < dbss_audit_data.QUERY_RECORD_CAP
    assert result['truncated_windows'] == [] and sorted(returned) == sorted(expected)


def parse_span(window):
    from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import parse_api_time
    return parse_api_time(window['end_time']) - parse_api_time(window['start_time'])


def _read_one_after_the_other(requests):
    """True when each window's requests form one block: no window was read while another one was."""
    finished, current = set(), None
    for request in requests:
        window = (request['json']['time']['start_time'], request['json']['time']['end_time'])
        if window != current:
            if window in finished:
                return False
            if current is not None:
                finished.add(current)
            current = window
    return True


# 1,000 statements over the first 8 hours: the day (over the cap of 300) is split, and two of its parts again.
# A limit of 1,000 or more wants everything; 350 or 301 want more than the cap but less than a part over it.
@pytest.mark.parametrize('limit,side_by_side', [(5000, True), (1000, True), (350, False), (301, False)])
def test_the_parts_of_a_window_are_read_side_by_side_only_when_all_of_them_are_wanted(audit, small_cap, limit, side_by_side):
    audit.add_sqls(audit.a, 1000, START + SECOND, step=30 * SECOND)
    result = list_audit_sqls(audit.client(), [audit.a], START, END, limit=limit, max_workers=4)
    assert ids(result['sqls']) == newest(audit.sqls_in(audit.a, START, END), min(limit, 1000))
    requests = audit.sql_requests()
    # The whole day once (its total, 1,000, is over the cap), then its parts.
    assert requests[0]['json']['time']['start_time'] == dbss_time(START) and requests[0]['json']['page'] == 1
    assert _read_one_after_the_other(requests) is not side_by_side
    # Side by side or not, no page is asked for twice.
    pages = [(request['json']['time']['start_time'], request['json']['time']['end_time'], request['json']['page'])
             for request in requests]
    assert len(pages) == len(set(pages))


def test_a_clipped_total_never_lets_parts_be_read_side_by_side(audit, small_cap):
    # A total at the cap may be anything above it: the limit is not known to exceed it.
    audit.sim.set_clip_audit_totals(True)
    audit.add_sqls(audit.a, 1000, START + SECOND, step=30 * SECOND)
    result = list_audit_sqls(audit.client(), [audit.a], START, END, limit=5000, max_workers=4)
    assert ids(result['sqls']) == newest(audit.sqls_in(audit.a, START, END), 1000)
    assert _read_one_after_the_other(audit.sql_requests())
