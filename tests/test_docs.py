"""Every ```python block in docs/*.md runs, and prints what the ```text block right after it shows.

Rules (for doc writers):
- The blocks of one page run in order in one namespace, so a page reads like one session.
- A ```text block that directly follows a ```python block (only blank lines between) is its expected
  stdout; trailing spaces and trailing blank lines are ignored, and ``...`` in a line matches anything.
- A block preceded by the comment ``<!-- same in PyTorch -->`` runs a second time with real torch
  (``import minitorch as torch`` becomes ``import torch``; marked blocks of a page share a namespace)
  and must print the same output.
- Relative links must point at files that exist; each numbered chapter links to code and has a
  checked output.
"""
import contextlib
import io
import os
import re
import warnings
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(DOCS.glob("*.md"))
TORCH_MARK = "<!-- same in PyTorch -->"

FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)


def blocks(text):
    """[(lang, code, line_number, expected_output_or_None, same_in_torch)] for one page."""
    found = [(m.group(1), m.group(2), m.start(), m.end()) for m in FENCE.finditer(text)]
    out = []
    for i, (lang, code, start, end) in enumerate(found):
        if lang != "python":
            continue
        expected = None
        if i + 1 < len(found):
            nlang, ncode, nstart, _ = found[i + 1]
            if nlang == "text" and text[end:nstart].strip() == "":
                expected = ncode
        before = text[:start].rstrip().splitlines()
        same_in_torch = bool(before) and before[-1].strip() == TORCH_MARK
        out.append((lang, code, text.count("\n", 0, start) + 1, expected, same_in_torch))
    return out


def output_matches(got, expected):
    g = [line.rstrip() for line in got.rstrip().splitlines()]
    e = [line.rstrip() for line in expected.rstrip().splitlines()]
    if len(g) != len(e):
        return False
    for gl, el in zip(g, e):
        if "..." in el:
            pattern = ".*".join(re.escape(part) for part in el.split("..."))
            if not re.fullmatch(pattern, gl):
                return False
        elif gl != el:
            return False
    return True


def run_block(code, ns, where):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            exec(compile(code, where, "exec"), ns)
        except Exception as e:
            raise AssertionError(f"{where} raised {type(e).__name__}: {e}\n--- output so far ---\n"
                                 f"{buf.getvalue()}") from e
    return buf.getvalue()


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_snippets_run_and_print_what_the_page_says(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                    # snippets that write files write here
    text = page.read_text()
    ns = {"__name__": "__docs__"}
    torch_ns = {"__name__": "__docs__"}
    for lang, code, line, expected, same_in_torch in blocks(text):
        where = f"{page.name}:{line}"
        got = run_block(code, ns, where)
        if expected is not None:
            assert output_matches(got, expected), \
                f"{where}: the snippet printed\n{got}\nbut the page shows\n{expected}"
        if same_in_torch:
            assert "import minitorch as torch" in code or torch_ns.get("torch") is not None, \
                f"{where}: a block marked same-in-PyTorch must import minitorch as torch (or follow one that did)"
            torch_code = code.replace("import minitorch as torch", "import torch")
            assert "minitorch" not in torch_code, f"{where}: uses minitorch-only names but is marked same-in-PyTorch"
            got_torch = run_block(torch_code, torch_ns, where + " (PyTorch)")
            assert output_matches(got_torch, got if expected is None else expected), \
                f"{where}: PyTorch printed\n{got_torch}\nbut minitorch printed\n{got}"


LINK = re.compile(r"\]\(([^)#\s]*)(#[^)\s]*)?\)")


def anchors(md_text):
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    text = FENCE.sub("", md_text)
    out = set()
    for title in re.findall(r"^#+\s+(.+?)\s*$", text, re.M):
        out.add(re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-"))
    return out


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_relative_links_resolve(page):
    for target, anchor in LINK.findall(page.read_text()):
        if re.match(r"[a-z]+:", target):
            continue
        path = page.parent / target if target else page
        assert path.exists(), f"{page.name}: broken link {target}"
        if anchor and path.suffix == ".md":
            assert anchor[1:] in anchors(path.read_text()), f"{page.name}: no heading for {target}{anchor}"


def test_every_chapter_links_code_and_checks_output():
    chapters = [p for p in PAGES if re.match(r"\d\d-", p.name)]
    assert len(chapters) == 9
    for page in chapters:
        text = page.read_text()
        code_links = [t for t, _ in LINK.findall(text) if t.startswith("../minitorch/")]
        assert code_links, f"{page.name} links to no code"
        assert any(b[3] is not None for b in blocks(text)), f"{page.name} has no snippet with checked output"


def test_index_lists_every_page():
    index = (DOCS / "README.md").read_text()
    for page in PAGES:
        if page.name != "README.md":
            assert f"]({page.name})" in index, f"docs/README.md does not link {page.name}"


def test_the_runner_itself():
    page = ("<!-- same in PyTorch -->\n```python\nimport minitorch as torch\nprint(torch.ones(2))\n```\n\n"
            "```text\ntensor([1., 1.])\n```\n```python\nx = 1\n```\nprose\n```text\nnot checked\n```\n")
    b = blocks(page)
    assert [(x[3], x[4]) for x in b] == [("tensor([1., 1.])\n", True), (None, False)]
    assert output_matches("a 1.23ms b\n\n", "a ...ms b")
    assert not output_matches("a\nb", "a")
    assert os.path.isdir(DOCS)
