"""Issue 20 item 5, end to end: a poisoned history.json in the report directory never stops the role's reports.

The role runs twice with ansible-playbook against the simulator; between the runs history.json gains an entry with
a count of 1e400 and one of 401 digits. Before the fix the trend filter raised (OverflowError) and no report was
written; now both entries are dropped with a warning, every report is written and history.json is clean again."""

import json
import os

from test_play_compliance import connection, read_reports

REPORTS = ['history.json', 'junit.xml', 'report.csv', 'report.html', 'report.json', 'report.md', 'report.ocsf.json']


def test_item5_a_poisoned_history_is_dropped_with_a_warning_and_every_report_is_written(sim, run_playbook, tmp_path):
    folder = tmp_path / 'report'
    variables = {'play_connection': connection(sim), 'audit_compliance_report_dir': str(folder),
                 'audit_compliance_fail_on': 'never'}
    first = run_playbook('compliance', variables)
    assert first.rc == 0, first.output
    history_path = folder / 'history.json'
    good = json.loads(history_path.read_text(encoding='utf-8'))
    poison = ('[%s, {"generated_at": "2026-01-01T00:00:00Z", "result": "FAIL", "violations": 1e400}, '
              '{"generated_at": "2026-01-02T00:00:00Z", "result": "FAIL", "violations": %s}]'
              % (json.dumps(good[0]), '9' * 401))
    history_path.write_text(poison, encoding='utf-8')
    for name in REPORTS[1:]:
        os.unlink(str(folder / name))

    second = run_playbook('compliance', variables)
    assert second.rc == 0, second.output
    assert sorted(os.listdir(str(folder))) == REPORTS
    report, _junit, markdown, page = read_reports(str(folder))
    assert [warning for warning in report['warnings'] if 'history.json held 2 unreadable entries' in warning]
    history = json.loads(history_path.read_text(encoding='utf-8'))
    assert [entry['generated_at'] for entry in history] == [good[0]['generated_at'], report['summary']['generated_at']]
    assert '## History' in markdown and page.count('<circle') == 2
