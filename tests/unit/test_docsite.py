"""The guides in the docs site (tests/tools/docsite.py): every docs/*.md is listed in docs/docsite/extra-docs.yml and
converted into an RST page antsibull-docs keeps (labels with its prefix), links between guides become references to
labels that exist, and the check of the built site finds a missing page or a dead link.

`make docs` (tests/tools/docs.sh) builds the real site and runs the same site check on it."""

import os
import re

import pytest

from hwtest_support import REPO_ROOT as ROOT, load_tool

# pandoc comes from the pypandoc-binary test dependency of the default line's venv (tests/requirements.txt); the
# older ansible-core lines' venvs do not build the docs.
pytest.importorskip('pypandoc')

docsite = load_tool('docsite')
PREFIX = 'ansible_collections.hwcloud.dbaudit.docsite.'
RELATIVE_MD_LINK = re.compile(r'<(?![a-z][a-z0-9+.-]*:)[^<>`]*\.md(#[^<>`]*)?>`_')


@pytest.fixture(scope='module')
def pages():
    return docsite.convert_all()


def test_every_guide_is_listed_once_in_extra_docs():
    guides = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, 'docs')) if name.endswith('.md'))
    listed = docsite.listed_guides()
    assert len(guides) >= 13
    assert sorted(listed) == guides
    assert docsite.check_listing(guides, listed) == []


def test_the_listing_check_names_a_missing_an_unknown_and_a_repeated_guide():
    problems = docsite.check_listing(['guide', 'eda', 'siem'], ['guide', 'siem', 'siem', 'nothing'])
    assert problems == ['docs/eda.md is not listed in docs/docsite/extra-docs.yml',
                        'docs/docsite/extra-docs.yml lists nothing, which is no guide (no docs/nothing.md)',
                        'docs/docsite/extra-docs.yml lists siem more than once']


def test_every_guide_becomes_a_page_with_only_labels_antsibull_docs_keeps(pages):
    assert sorted(pages) == docsite.guides()
    for name, text in pages.items():
        labels = re.findall(r'^\.\. _([^:]+):', text, re.M)
        assert labels[0] == PREFIX + name, name
        assert all(label.startswith(PREFIX) for label in labels), name
        # antsibull-docs' own rule: a page with any other label is silently left out of the site.
        assert docsite.label_prefix('hwcloud.dbaudit') == PREFIX
        # One label per heading of the Markdown (outside code blocks), plus the page's.
        headings, in_fence = 0, False
        with open(os.path.join(ROOT, 'docs', name + '.md'), encoding='utf-8') as handle:
            for line in handle:
                if re.match(r'\s*(```|~~~)', line):
                    in_fence = not in_fence
                headings += bool(not in_fence and re.match(r'#{1,6} ', line))
        assert headings > 0 and len(labels) == headings + 1, name


def test_links_between_guides_become_references_to_labels_that_exist(pages):
    defined = set(label for text in pages.values() for label in re.findall(r'^\.\. _([^:]+):', text, re.M))
    referenced = set()
    for name, text in pages.items():
        assert not RELATIVE_MD_LINK.search(text), (name, RELATIVE_MD_LINK.search(text).group(0))
        referenced.update(re.findall(r':ref:`(?:[^`]*<)?(%s[^>`]+)>?`' % re.escape(PREFIX), text))
    assert referenced and referenced <= defined, sorted(referenced - defined)
    # guide.md links every other guide, and a heading of another guide.
    for name in docsite.guides():
        if name != 'guide':
            assert PREFIX + name in referenced, name
    assert PREFIX + 'compliance.using-the-evaluation-without-the-role' in referenced


def test_links_to_other_files_go_to_the_repository(pages):
    assert '<https://github.com/hwcloud/dbaudit/blob/main/docs/examples/compliance_report.yml>`' in pages['guide']
    assert '<https://github.com/hwcloud/dbaudit/tree/main/docs/examples/awx>`' in pages['guide']
    assert '<https://github.com/hwcloud/dbaudit/blob/main/tests/simulator/README.md>`' in pages['simulator']


def _guides(tmp_path, texts):
    folder = tmp_path / 'docs'
    folder.mkdir()
    for name, text in texts.items():
        (folder / (name + '.md')).write_text(text, encoding='utf-8')
    return str(folder)


def test_a_link_to_a_heading_that_does_not_exist_is_refused(tmp_path):
    docs = _guides(tmp_path, {'one': '# One\n\nSee [two](two.md#nowhere) and [here](#top).\n',
                              'two': '# Two\n\n## Somewhere\n'})
    with pytest.raises(docsite.DocsiteError) as error:
        docsite.convert_all(docs)
    assert str(error.value).splitlines() == ['docs/one.md: link two.md#nowhere: docs/two.md has no heading #nowhere',
                                             'docs/one.md: link #top: docs/one.md has no heading #top']


def test_a_reference_next_to_a_letter_stays_valid_rst(tmp_path):
    docs = _guides(tmp_path, {'one': '# One\n\nThe [two](two.md)s and x[two](two.md#somewhere).\n',
                              'two': '# Two\n\n## Somewhere\n'})
    text = docsite.convert_all(docs)['one']
    assert ':ref:`two <%stwo>`\\ s' % PREFIX in text
    assert 'x\\ :ref:`two <%stwo.somewhere>`' % PREFIX in text


def test_build_writes_the_pages_and_removes_stale_ones(tmp_path):
    docs = _guides(tmp_path, {'one': '# One\n\n[Two](two.md)\n', 'two': '# Two\n'})
    extra = tmp_path / 'extra-docs.yml'
    extra.write_text('sections:\n  - title: All\n    toctree: [one, two]\n', encoding='utf-8')
    dest = tmp_path / 'rst'
    dest.mkdir()
    (dest / 'gone.rst').write_text('old', encoding='utf-8')
    assert docsite.build(str(dest), docs, str(extra)) == ['one', 'two']
    assert sorted(os.listdir(str(dest))) == ['one.rst', 'two.rst']
    extra.write_text('sections:\n  - title: All\n    toctree: [one]\n', encoding='utf-8')
    with pytest.raises(docsite.DocsiteError, match='docs/two.md is not listed'):
        docsite.build(str(dest), docs, str(extra))


def _site(tmp_path, pages, index_links):
    site = tmp_path / 'html'
    (site / 'docsite').mkdir(parents=True)
    (site / 'index.html').write_text(''.join('<a href="%s">x</a>' % link for link in index_links), encoding='utf-8')
    for name, body in pages.items():
        (site / 'docsite' / (name + '.html')).write_text(body, encoding='utf-8')
    return str(site)


def test_the_site_check_passes_a_complete_site_and_names_each_fault(tmp_path):
    docs = _guides(tmp_path, {'one': '# One\n', 'two': '# Two `x`\n'})
    good = {'one': '<h1 id="one">One</h1><a href="two.html#two">2</a><a href="/">home</a>'
                   '<a href="https://example.org/missing">out</a>',
            'two': '<h1 id="two">Two x<a href="#two">#</a></h1><a href="../index.html">up</a>'}
    links = ['docsite/one.html', 'docsite/two.html']
    assert docsite.check_html(_site(tmp_path / 'good', good, links), docs) == []

    (tmp_path / 'docs' / 'three.md').write_text('# Three\n', encoding='utf-8')
    bad = dict(good, one='<h1>Three</h1><a href="two.html#nowhere">2</a><a href="gone.html">gone</a>')
    assert docsite.check_html(_site(tmp_path / 'bad', bad, links[:1]), docs) == [
        "docsite/one.html: title 'Three', docs/one.md has 'One'",
        'docs/three.md: no page docsite/three.html in the site',
        'index.html: no link to docsite/three.html',
        'index.html: no link to docsite/two.html',
        'docsite/one.html: link two.html#nowhere: no #nowhere in docsite/two.html',
        'docsite/one.html: link gone.html: no such page']
