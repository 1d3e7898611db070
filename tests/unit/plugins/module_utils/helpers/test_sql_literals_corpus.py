"""Issue 20 item 2: ``mask_literals: true`` leaves no literal's content visible.

A corpus of MySQL, PostgreSQL and SQL Server statements; every literal holds a marker (``SECRETn`` or a long
number). Masked, no marker may survive, whichever way the dialects read the quoting. Names and keywords outside
the literals stay, so the masker is not simply blanking everything.
"""

import re

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.sql_literals import mask_literals

CARD = '4111111111111111'
# (dialect, statement, words that must stay)
CORPUS = [
    # The two reproductions.
    ('mysql', "/* user's reset */ UPDATE users SET password = 'S3cretPass!SECRET1'", ['UPDATE', 'users', 'password']),
    ('postgresql', "SELECT 'C:\\' AS dir, 'SECRET2' AS pw FROM t", ['SELECT']),
    # Comments of every kind, with apostrophes and quotes in them.
    ('mysql', "SELECT 1 -- it's a comment\n, 'SECRET3' FROM t", ['SELECT', 'FROM']),
    ('mysql', "SELECT 1 # it's MySQL only\n, 'SECRET4' FROM t", ['SELECT']),
    ('mysql', "SELECT /*! 'SECRET5' */ 1 FROM t", ['SELECT', 'FROM']),
    ('mysql', "SELECT 1 /* note: password SECRET6 */ FROM t", ['SELECT', 'FROM']),
    ('postgresql', "SELECT 1 /* outer /* it's nested */ still comment */ , 'SECRET7' FROM t", ['SELECT']),
    ('mysql', "SELECT 1--'SECRET8\n' FROM t", ['SELECT']),
    ('sqlserver', "SELECT * FROM #temp WHERE name = 'SECRET9'", ['SELECT']),
    ('mysql', "SELECT '-- not a comment', 'SECRET10' FROM t", ['SELECT', 'FROM']),
    ('mysql', "SELECT '/* not a comment', 'SECRET11' FROM t", ['SELECT', 'FROM']),
    # Both escaping conventions.
    ('mysql', "INSERT INTO t VALUES ('it\\'s SECRET12', 'SECRET13')", ['INSERT', 'VALUES']),
    ('mysql', "INSERT INTO t VALUES ('ends in backslash \\\\', 'SECRET14')", ['INSERT', 'VALUES']),
    ('postgresql', "SELECT E'it\\'s SECRET15', 'SECRET16'", ['SELECT']),
    ('postgresql', "SELECT 'a\\', 'SECRET17', 'b'", ['SELECT']),
    ('postgresql', "UPDATE t SET path = 'C:\\temp\\' WHERE owner = 'SECRET18'", ['UPDATE', 'path']),
    ('sqlserver', "SELECT 'C:\\'+name, 'SECRET19' FROM t", ['SELECT']),
    ('mysql', 'SELECT "double \\" quoted SECRET20", "SECRET21"', ['SELECT']),
    ('postgresql', 'SELECT "C:\\", \'SECRET22\'', ['SELECT']),
    # Doubled quotes.
    ('sqlserver', "SELECT 'O''Brien SECRET23', 'it''s SECRET24'", ['SELECT']),
    ('postgresql', 'SELECT "weird""name SECRET25" FROM t', ['SELECT', 'FROM']),
    ('mysql', "SELECT '''SECRET26''' FROM t", ['SELECT', 'FROM']),
    # Prefixes, hex and bit literals, numbers.
    ('sqlserver', "SELECT N'SECRET27', N'\u5bc6\u7801SECRET28' FROM t", ['SELECT', 'FROM']),
    ('mysql', "SELECT X'5345435245543239', x'AB', B'0101', b'1', 0x53454352455433, 0b1011 FROM t", ['SELECT']),
    ('postgresql', "SELECT B'10101', X'1F', U&'SECRET29\\0041' FROM t", ['SELECT', 'FROM']),
    ('mysql', "SELECT _utf8mb4'SECRET30' COLLATE utf8mb4_bin", ['SELECT', 'COLLATE', 'utf8mb4_bin']),
    ('mysql', 'UPDATE cards SET number = %s, cvv = 737, amount = -12.5e3, rate = .75' % CARD, ['UPDATE', 'cards']),
    # Dollar quoting.
    ('postgresql', "SELECT $$SECRET31$$, $pw$SECRET32$pw$ FROM t WHERE id = $1", ['SELECT', '$1']),
    ('postgresql', "DO $body$ BEGIN RAISE NOTICE 'SECRET33'; END $body$; SELECT 'SECRET34'", ['DO']),
    ('postgresql', "SELECT $$ it's $$, secret_col_SECRET35, 'x'", ['SELECT']),
    ('postgresql', "SELECT $q$ unterminated SECRET36", ['SELECT']),
    # Unbalanced quotes (a statement the audit cut short).
    ('mysql', "UPDATE t SET a='cut short SECRET37", ['UPDATE']),
    ('mysql', "SELECT `unterminated 'SECRET38", ['SELECT']),
    ('postgresql', 'SELECT "unterminated SECRET39', ['SELECT']),
    ('mysql', "SELECT 1 /* unterminated 'SECRET40'", ['SELECT']),
    ("sqlserver", "EXEC sp_addlogin 'app', 'SECRET41'; -- done", ['EXEC', 'sp_addlogin']),
    ('mysql', "CREATE USER 'bob'@'%' IDENTIFIED BY 'SECRET42'", ['CREATE', 'USER', 'IDENTIFIED']),
    ('mysql', "SELECT * FROM `it's SECRET-free name` WHERE v = 'SECRET43'", ['SELECT', "`it's SECRET-free name`"]),
    ('sqlserver', "SELECT [it's] FROM t WHERE v = 'SECRET44'", ['SELECT']),
    ('postgresql', "SELECT data['SECRET45'] FROM t", ['SELECT', 'data']),
]
MARKERS = re.compile(r'SECRET\d+|S3cretPass|%s|5345435245543239|53454352455433|737|12\.5|10101|0101|\b1F\b|\bAB\b' % CARD)


def markers(statement):
    # The back-quoted name of one statement says SECRET-free on purpose: it is a name, kept.
    return set(MARKERS.findall(statement.replace('SECRET-free', 'free')))


@pytest.mark.parametrize('dialect,statement,kept', CORPUS, ids=['%s-%d' % (item[0], index) for index, item in enumerate(CORPUS)])
def test_item2_no_literal_survives_masking(dialect, statement, kept):
    masked = mask_literals(statement)
    assert markers(statement), 'each corpus statement holds a literal to mask (%s)' % dialect
    survivors = markers(masked)
    assert not survivors, '%s statement %r masked as %r keeps %s' % (dialect, statement, masked, survivors)
    for word in kept:
        assert word in masked, '%r lost %r: %r' % (statement, word, masked)


def test_item2_every_secret_of_the_corpus_is_counted():
    # The corpus itself: every statement has at least one marker, and they are all different.
    found = [marker for _dialect, statement, _kept in CORPUS for marker in markers(statement) if marker.startswith('SECRET')]
    assert len(found) == len(set(found)) == 45


@pytest.mark.parametrize('statement,masked', [
    ("/* user's reset */ UPDATE users SET password = 'S3cretPass!'", '/* ? */ UPDATE users SET password = ?'),
    ("SELECT 'C:\\', 'x'", 'SELECT ?'),
    ("SELECT a FROM t -- trailing note\nWHERE b = 2", 'SELECT a FROM t -- ?\nWHERE b = ?'),
    ("SELECT $$x$$, $1, @@version, :name FROM s.t2", 'SELECT ?, $1, @@version, :name FROM s.t2'),
    ("SELECT 'a\\nb', 'c'", 'SELECT ?, ?'),
    ("SELECT /**/ 1", 'SELECT /**/ ?'),
])
def test_item2_masking_keeps_the_shape_of_unambiguous_statements(statement, masked):
    assert mask_literals(statement) == masked
