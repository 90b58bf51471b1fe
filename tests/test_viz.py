"""minitorch.viz.graph: the drawn graph is the autograd graph, and it matches torch's on the same expression."""
import re
import sys
import types

import numpy as np
import pytest
import torch

import minitorch as mt
from minitorch import viz


# ---------------------------------------------------------------- canonical forms of a backward graph
def torch_canonical(t):
    """torch's graph as [(node class name, [child index, ...]), ...] in first-visit DFS order (None edges skipped)."""
    index, out = {}, []

    def visit(fn):
        if fn in index:
            return index[fn]
        k = index[fn] = len(out)
        out.append(None)
        kids = [visit(c) for c, _ in fn.next_functions if c is not None]
        out[k] = (type(fn).__name__, kids)
        return k
    visit(t.grad_fn)
    return out


def viz_canonical(g, root_id):
    """The same form read from a viz.Graph's nodes and edges (only backward nodes, not tensor boxes)."""
    by_id = {n["id"]: n for n in g.nodes}
    children = {n["id"]: [] for n in g.nodes}
    for a, b in g.edges:
        if by_id[a]["kind"] == "node":
            children[b].append(a)
    index, out = {}, []

    def visit(nid):
        if nid in index:
            return index[nid]
        k = index[nid] = len(out)
        out.append(None)
        kids = [visit(c) for c in children[nid]]
        out[k] = (by_id[nid]["name"], kids)
        return k
    (fn_id,) = children[root_id]
    visit(fn_id)
    return out


def leaves_of(g):
    """{(AccumulateGrad node id): leaf label} for a viz.Graph."""
    by_id = {n["id"]: n for n in g.nodes}
    return sorted((by_id[a]["name"], by_id[a]["shape"]) for a, b in g.edges
                  if by_id[a]["kind"] == "leaf" and by_id[b]["name"] == "AccumulateGrad")


def both(fn, *arrays):
    ours = [mt.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    return fn(*ours), fn(*theirs), ours, theirs


# ---------------------------------------------------------------- the tutorial's graph
def test_tutorial_graph_matches_torch():
    y, ty, (x, w), _ = both(lambda x, w: (x + w) * (w + 1), np.ones(2, np.float32), np.ones(2, np.float32))
    g = viz.graph(y, params={"x": x, "w": w})
    assert viz_canonical(g, "n0") == torch_canonical(ty)
    assert viz_canonical(g, "n0") == [("MulBackward0", [1, 4]), ("AddBackward0", [2, 3]), ("AccumulateGrad", []),
                                      ("AccumulateGrad", []), ("AddBackward0", [3])]
    names = [n["name"] for n in g.nodes]
    assert names.count("AccumulateGrad") == 2          # w is one leaf, used twice: one accumulator
    assert leaves_of(g) == [("w", (2,)), ("x", (2,))]
    root = g.nodes[0]
    assert root["kind"] == "output" and root["shape"] == (2,) and root["dtype"] == mt.float32
    # each leaf box is linked to its AccumulateGrad, and w's accumulator feeds both additions
    by_name = {n["label"].split("\n")[0]: n["id"] for n in g.nodes if n["kind"] == "leaf"}
    acc_w = [b for a, b in g.edges if a == by_name["w"]][0]
    assert sum(1 for a, b in g.edges if a == acc_w) == 2


EXPRESSIONS = [
    ("mul_sum", lambda a, b: (a * b).sum()),
    ("reuse", lambda a, b: ((a + 1) * (a + 1)).exp().mean()),
    ("chain", lambda a, b: ((a - b) / (b * b + 1)).tanh().sum()),
    ("broadcast", lambda a, b: (a * b[0]).sum()),
    ("select_view", lambda a, b: (a[1] * b[2].view(4, 1)).mean()),
    ("matmul", lambda a, b: (a @ b.T).relu().sum()),
    ("pow_sigmoid", lambda a, b: (a.pow(2) + b.sigmoid()).sum()),
]


@pytest.mark.parametrize("name,fn", EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
def test_graph_structure_matches_torch(name, fn):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    y, ty, ours, _ = both(fn, a, b)
    g = viz.graph(y, params={"a": ours[0], "b": ours[1]})
    assert viz_canonical(g, "n0") == torch_canonical(ty)


def test_leaf_names_from_a_module_and_lenet_in_one_line():
    from reference.models import build
    mt.manual_seed(0)
    model = build("lenet", mt)
    x, target = mt.randn(2, 3, 32, 32), mt.tensor([1, 2])
    g = viz.graph(mt.nn.functional.cross_entropy(model(x), target), params=model)   # the one line
    leaves = dict(leaves_of(g))
    assert leaves == {name: tuple(p.shape) for name, p in model.named_parameters()}
    kinds = {n["name"] for n in g.nodes if n["kind"] == "node"}
    assert {"ConvolutionBackward0", "ReluBackward0", "AccumulateGrad"} <= kinds
    text = g.text()
    for name, p in model.named_parameters():
        assert f"{name} {tuple(p.shape)} float32" in text
    assert "digraph" in g.source and g.source.count("->") == len(g.edges)


def test_lenet_graph_nodes_match_torch_up_to_fused_ops():
    """The same LeNet in both engines: the same set of backward node kinds, except where minitorch fuses."""
    from reference.models import build
    mt.manual_seed(0)
    ours = build("lenet", mt)
    theirs = build("lenet", torch)
    y = ours(mt.randn(2, 3, 32, 32)).sum()
    ty = theirs(torch.randn(2, 3, 32, 32)).sum()
    g = viz.graph(y, params=ours)
    ours_names = {n["name"] for n in g.nodes if n["kind"] == "node"}
    torch_names = {name for name, _ in torch_canonical(ty)}
    # torch's linear is addmm(bias, x, weight.t()): our fused node lists a TBackward0 for the weight, as torch's
    assert ours_names == torch_names


# ---------------------------------------------------------------- text, DOT, saved tensors
def test_text_tree():
    x = mt.ones(2, requires_grad=True)
    w = mt.ones(2, requires_grad=True)
    y = (x + w) * (w + 1)
    text = str(viz.graph(y, params={"x": x, "w": w}))
    assert text == "\n".join([
        "output (2,) float32",
        "└─ MulBackward0",
        "   ├─ AddBackward0",
        "   │  ├─ AccumulateGrad ← x (2,) float32",
        "   │  └─ AccumulateGrad ← w (2,) float32",
        "   └─ AddBackward0",
        "      └─ AccumulateGrad ← w (2,) float32"])
    assert repr(viz.graph(y)) == viz.graph(y).text()


def test_text_tree_marks_shared_nodes_once():
    x = mt.ones(3, requires_grad=True)
    a = x * 2
    y = (a * a).sum()
    lines = viz.graph(y).text().splitlines()
    assert lines[3].endswith("MulBackward0 [1]")
    assert lines[-1].endswith("MulBackward0 [1] (see above)")
    assert sum("AccumulateGrad" in line for line in lines) == 1


def test_dot_source_is_well_formed():
    x = mt.ones(2, 3, requires_grad=True)
    y = (x * x).sum()
    src = viz.graph(y, params={'x "quoted"': x}).source
    assert src.startswith("digraph {") and src.rstrip().endswith("}")
    ids = re.findall(r"^\t(n\d+) \[label=", src, re.M)
    edges = re.findall(r"^\t(n\d+) -> (n\d+)", src, re.M)
    assert len(ids) == len(set(ids)) == 5     # output, SumBackward0, MulBackward0, AccumulateGrad, x
    assert all(a in ids and b in ids for a, b in edges)
    assert 'x \\"quoted\\"\\n(2, 3) float32' in src
    assert "fillcolor=lightblue" in src and "fillcolor=darkolivegreen1" in src


def test_show_saved_tensors():
    x = mt.ones(2, 3, requires_grad=True)
    w = mt.ones(3, 4, requires_grad=True)
    y = (x @ w).exp().sum()
    g = viz.graph(y, params={"x": x, "w": w}, show_saved=True)
    saved = [n for n in g.nodes if n["kind"] == "saved"]
    # like torch: MmBackward0 saves both operands, ExpBackward0 its result
    t = torch.ones(2, 3, requires_grad=True) @ torch.ones(3, 4, requires_grad=True)
    assert t.grad_fn._saved_self.shape == (2, 3) and t.grad_fn._saved_mat2.shape == (3, 4)
    shapes = sorted(n["shape"] for n in saved)
    assert shapes == [(2, 3), (2, 4), (3, 4)]
    assert {n["name"] for n in saved} == {"x", "w", ""}
    assert "orange" in g.source and "saved:" in g.text()
    y.backward()                                  # the graph is freed: nothing saved to show any more
    assert not [n for n in viz.graph(y, show_saved=True).nodes if n["kind"] == "saved"]


def test_leaf_and_list_roots_and_multi_output():
    x = mt.ones(2, requires_grad=True)
    g = viz.graph(x, params={"x": x})
    assert [n["kind"] for n in g.nodes] == ["leaf"] and g.text() == "x (2,) float32"

    class Two(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * 2 + gb * 3
    a, b = Two.apply(x * 3)
    g = viz.graph([a, b])
    assert [n["kind"] for n in g.nodes].count("output") == 2
    assert sum(n["name"].startswith("TwoBackward") for n in g.nodes) == 1
    with pytest.raises(TypeError):
        viz.graph(3.0)


def test_deep_graph_does_not_recurse():
    x = mt.ones(1, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    g = viz.graph(y)
    assert len(g.nodes) == 3003 and len(g.text().splitlines()) == 3002     # the leaf sits on its accumulator's line


# ---------------------------------------------------------------- rendering
def test_render_without_graphviz_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "graphviz", None)            # import graphviz -> ImportError
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)   # no dot program
    g = viz.graph((mt.ones(2, requires_grad=True) * 2).sum())
    with pytest.raises(viz.GraphvizNotFound, match="pip install graphviz"):
        g.render(tmp_path / "g.svg")
    assert g._repr_svg_() is None


def test_render_with_graphviz_package(monkeypatch, tmp_path):
    calls = []

    class Source:
        def __init__(self, source):
            calls.append(source)

        def pipe(self, format):
            return f"<{format}>".encode()

    fake = types.SimpleNamespace(Source=Source, ExecutableNotFound=type("ExecutableNotFound", (Exception,), {}))
    monkeypatch.setitem(sys.modules, "graphviz", fake)
    g = viz.graph((mt.ones(2, requires_grad=True) * 2).sum())
    assert g.render(tmp_path / "g.png") == tmp_path / "g.png"
    assert (tmp_path / "g.png").read_bytes() == b"<png>"
    g.render(tmp_path / "g", format="svg")
    assert (tmp_path / "g").read_bytes() == b"<svg>"
    assert g._repr_svg_() == "<svg>"
    assert calls[0] == g.source


def test_render_for_real_when_graphviz_is_installed(tmp_path):
    import shutil
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")
    g = viz.graph((mt.ones(2, requires_grad=True) * 2).sum())
    g.render(tmp_path / "g.svg")
    assert "<svg" in (tmp_path / "g.svg").read_text()
