"""Dead ends in the Markdown pages (tests/tools/markdown_links.py, run by `make docs`): the repository's own pages
have none, and the check names a missing file, a missing heading and a repository path that does not exist, while
placeholders, globs and paths relative to the page's folder pass."""

from hwtest_support import REPO_ROOT as ROOT, load_tool

markdown_links = load_tool('markdown_links')


def test_the_repository_pages_have_no_dead_end():
    names = markdown_links.pages(ROOT)
    assert 'README.md' in names and 'docs/guide.md' in names and 'roles/audit_compliance/README.md' in names
    assert markdown_links.check(ROOT, names) == []


def _tree(tmp_path, files):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding='utf-8')
    return str(tmp_path)


def test_each_dead_end_is_named_with_its_page_and_line(tmp_path, capsys):
    root = _tree(tmp_path, {
        'docs/a.md': '# A\n\n## Part one\n',
        'docs/examples/awx/x.yml': 'x: 1\n',
        'tests/support/real.py': '',
        'docs/b.md': '\n'.join([
            '# B',
            'See [a](a.md#part-one), [self](#b), `tests/support/real.py::test_x` and `examples/awx/x.yml`.',
            'Placeholders are no paths: `tests/integration/targets/<name>/`, `tests/unit/**/test_*.py`.',
            '```',
            '`tests/inside/a/fence.py` and [fenced](nowhere.md) are code, not claims.',
            '```',
            'Dead: [gone](gone.md), [anchor](a.md#part-two) and `tests/support/moved_away.py`.',
        ]) + '\n',
    })
    errors = markdown_links.check(root, ['docs/a.md', 'docs/b.md'])
    assert errors == [
        'docs/b.md:7: `tests/support/moved_away.py`: no such file or folder in the repository',
        'docs/b.md:7: gone.md: no such file docs/gone.md',
        'docs/b.md:7: a.md#part-two: no heading #part-two in docs/a.md',
    ]
    capsys.readouterr()
    assert markdown_links.main([root]) == 1
    assert capsys.readouterr().err.splitlines() == errors + ['docs: 3 broken link(s) or path(s)']
