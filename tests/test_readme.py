"""README.md's ```python blocks run as written, in order, and print what the ```text block after each
shows (the rules of tests/test_docs.py: ``...`` matches anything; a block after ``<!-- same in PyTorch -->``
also runs with real torch and must print the same)."""
from pathlib import Path

from test_docs import blocks, output_matches, run_block

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_snippets_run_and_print_what_the_page_says(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ns, torch_ns = {"__name__": "__readme__"}, {"__name__": "__readme__"}
    found = blocks(README.read_text())
    assert found, "README.md has no python snippets"
    for lang, code, line, expected, same_in_torch in found:
        where = f"README.md:{line}"
        got = run_block(code, ns, where)
        if expected is not None:
            assert output_matches(got, expected), f"{where}: the snippet printed\n{got}\nbut the page shows\n{expected}"
        if same_in_torch:
            got_torch = run_block(code.replace("import minitorch as torch", "import torch"), torch_ns,
                                  where + " (PyTorch)")
            assert output_matches(got_torch, got if expected is None else expected), \
                f"{where}: PyTorch printed\n{got_torch}\nbut minitorch printed\n{got}"
