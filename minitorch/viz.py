"""``minitorch.viz``: draw the autograd graph behind a tensor.

::

    x = minitorch.ones(2, requires_grad=True)
    w = minitorch.ones(2, requires_grad=True)
    y = (x + w) * (w + 1)
    print(minitorch.viz.graph(y, params={"x": x, "w": w}))

prints the graph as a tree, from the output down to the leaves::

    output (2,) float32
    └─ MulBackward0
       ├─ AddBackward0
       │  ├─ AccumulateGrad ← x (2,) float32
       │  └─ AccumulateGrad ← w (2,) float32
       └─ AddBackward0
          └─ AccumulateGrad ← w (2,) float32

Each box is a node of the backward graph, named as torch names it
(``MulBackward0`` is the ``grad_fn`` of the product; ``AccumulateGrad`` adds a
gradient into a leaf's ``.grad``). The edges are ``grad_fn.next_functions``:
the graph this module draws is exactly the one ``backward()`` walks.

``graph(...).source`` is the same graph as Graphviz DOT text (no dependency;
paste it into any Graphviz viewer), ``.render("graph.svg")`` draws it to a file
when Graphviz is installed, and a Jupyter notebook shows it as a picture. The
picture follows torchviz's conventions: blue boxes are leaves (with their
names), the green box is the output, grey boxes are backward nodes, orange
boxes are saved tensors (``show_saved=True``), and arrows point the way the
forward pass went.
"""
import shutil
import subprocess

from .tensor import Tensor
from .autograd.node import AccumulateGrad

__all__ = ["graph", "Graph", "GraphvizNotFound"]

_INSTALL = ("drawing the graph needs Graphviz: install the Python package (pip install graphviz) and the `dot` "
            "program (apt install graphviz, brew install graphviz or conda install graphviz). Without them, "
            ".source holds the DOT text (paste it into a Graphviz viewer) and .text() draws the graph as a tree.")


class GraphvizNotFound(RuntimeError):
    """Raised by ``Graph.render`` when neither the ``graphviz`` package nor the ``dot`` program can draw."""


def _describe(t):
    """'(2, 3) float32' for a tensor."""
    shape = tuple(t._data.shape)
    return f"{shape} {t.dtype.name if hasattr(t.dtype, 'name') else t.dtype}".replace("torch.", "")


def _param_names(params):
    """id(tensor) -> name, from a Module (its named_parameters), a dict name -> tensor, or (name, tensor) pairs."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        items = list(params.named_parameters())
        if hasattr(params, "named_buffers"):
            items += list(params.named_buffers())
    elif isinstance(params, dict):
        items = params.items()
    else:
        items = params
    names = {}
    for name, t in items:
        if isinstance(t, Tensor):
            names.setdefault(id(t), name)
    return names


class Graph:
    """An autograd graph: ``nodes`` and ``edges``, as DOT text (``source``), a text tree (``text()``) or a picture.

    ``nodes``: list of dicts with ``id`` (``'n0'``, ...), ``kind`` ('output', 'node', 'leaf' or
    'saved'), ``name`` (the ``grad_fn`` class name for a node, the tensor's name or ``''``
    otherwise), ``label`` (what the box says) and, for tensors, ``shape`` and ``dtype``.
    ``edges``: list of ``(from_id, to_id)`` in the direction of the forward pass.
    """

    def __init__(self, roots, params=None, show_saved=False):
        self._names = _param_names(params)
        self.show_saved = show_saved
        self.nodes = []
        self.edges = []
        self._ids = {}              # id(object) -> node id
        self._keep = []             # keep the walked objects alive while their ids are in _ids
        self._roots = roots
        for t in roots:
            self._add_root(t)

    # ------------------------------------------------------------ building
    def _new(self, obj, kind, name, label, tensor=None, **extra):
        nid = f"n{len(self.nodes)}"
        node = {"id": nid, "kind": kind, "name": name, "label": label}
        if tensor is not None:
            node["shape"] = tuple(tensor._data.shape)
            node["dtype"] = tensor.dtype
        node.update(extra)
        self.nodes.append(node)
        self._ids[id(obj)] = nid
        self._keep.append(obj)
        return nid

    def _tensor_label(self, t, default=""):
        name = self._names.get(id(t), default)
        return name, (f"{name}\n{_describe(t)}" if name else _describe(t))

    def _add_root(self, t):
        if id(t) in self._ids:
            return
        name, label = self._tensor_label(t, "output" if t.grad_fn is not None else "")
        if t.grad_fn is None:
            self._new(t, "leaf", name, label, t)
            return
        nid = self._new(t, "output", name, label, t)
        fn_id = self._add_fn(t.grad_fn)
        self.edges.append((fn_id, nid))

    def _add_fn(self, fn):
        """Add ``fn`` and everything below it (iteratively: graphs can be thousands of nodes deep)."""
        if id(fn) in self._ids:
            return self._ids[id(fn)]
        top = self._add_one(fn)
        stack, fresh = [fn], []
        while stack:
            node = stack.pop()
            nid = self._ids[id(node)]
            for child, nr in node.next_functions:
                if child is None:
                    continue
                new = id(child) not in self._ids
                cid = self._add_one(child) if new else self._ids[id(child)]
                self.edges.append((cid, nid))
                if new:
                    fresh.append(child)
            stack.extend(reversed(fresh))           # walk the first input's subgraph first
            fresh.clear()
        return top

    def _add_one(self, fn):
        name = type(fn).__name__
        nid = self._new(fn, "node", name, name)
        if type(fn) is AccumulateGrad or isinstance(fn, AccumulateGrad):
            var = fn.variable
            if id(var) not in self._ids:
                vname, label = self._tensor_label(var)
                self._new(var, "leaf", vname, label, var)
            self.edges.append((self._ids[id(var)], nid))
        elif self.show_saved and fn._saved is not None:
            for k, s in enumerate(fn._saved):
                if not isinstance(s, Tensor):
                    continue
                sname, label = self._tensor_label(s)
                key = object()                      # one box per (node, saved slot), even for shared tensors
                sid = self._new(key, "saved", sname, f"saved {k}\n{label}", s, text=label, index=k)
                self.edges.append((sid, nid))
        return nid

    # ------------------------------------------------------------ DOT
    @property
    def source(self):
        """The graph as Graphviz DOT text."""
        colors = {"output": "darkolivegreen1", "leaf": "lightblue", "saved": "orange"}
        kinds = {n["id"]: n["kind"] for n in self.nodes}
        lines = ["digraph {",
                 '\tgraph [size="12,12"]',
                 "\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled]"]
        for n in self.nodes:
            color = colors.get(n["kind"])
            extra = f" fillcolor={color}" if color else ""
            lines.append(f'\t{n["id"]} [label="{_dot_escape(n["label"])}"{extra}]')
        for a, b in self.edges:
            style = " [dir=none style=dashed]" if kinds[a] == "saved" else ""
            lines.append(f"\t{a} -> {b}{style}")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def save(self, path):
        """Write the DOT text to ``path`` (e.g. ``graph.dot``); returns the path."""
        with open(path, "w") as f:
            f.write(self.source)
        return path

    def pipe(self, format="svg"):
        """The drawing as bytes in ``format`` ('svg', 'png', 'pdf', ...); needs Graphviz (see ``render``)."""
        try:
            import graphviz     # optional package: imported (with a clear message if absent) when drawing
        except ImportError:
            graphviz = None
        if graphviz is not None:
            try:
                return graphviz.Source(self.source).pipe(format=format)
            except graphviz.ExecutableNotFound:
                raise GraphvizNotFound(_INSTALL) from None
        dot = shutil.which("dot")
        if dot is None:
            raise GraphvizNotFound(_INSTALL)
        res = subprocess.run([dot, f"-T{format}"], input=self.source.encode(), capture_output=True)
        if res.returncode != 0:
            raise RuntimeError(f"dot failed: {res.stderr.decode(errors='replace').strip()}")
        return res.stdout

    def render(self, path, format=None):
        """Draw the graph into the file ``path``; ``format`` defaults to the path's extension, else 'svg'.

        Needs Graphviz: the ``graphviz`` Python package or the ``dot`` program. Returns the path.
        """
        if format is None:
            ext = str(path).rsplit(".", 1)[-1].lower() if "." in str(path) else ""
            format = ext if ext in ("svg", "png", "pdf", "jpg", "jpeg", "gif") else "svg"
        data = self.pipe(format)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def _repr_svg_(self):
        """Jupyter shows the graph as a picture when Graphviz is installed (and as the text tree otherwise)."""
        try:
            return self.pipe("svg").decode()
        except (GraphvizNotFound, RuntimeError, OSError):
            return None

    # ------------------------------------------------------------ text tree
    def text(self):
        """The graph as a tree for terminals, from the outputs down to the leaves.

        A node that several others feed from is drawn once, marked ``[k]``, and later
        referred to as ``[k] (see above)``.
        """
        children = {n["id"]: [] for n in self.nodes}
        parents_count = {n["id"]: 0 for n in self.nodes}
        by_id = {n["id"]: n for n in self.nodes}
        for a, b in self.edges:
            children[b].append(a)
            parents_count[a] += 1
        tags = {}
        for n in self.nodes:
            if n["kind"] == "node" and parents_count[n["id"]] > 1 and n["name"] != "AccumulateGrad":
                tags[n["id"]] = len(tags) + 1

        def line_of(nid):
            n = by_id[nid]
            if n["kind"] == "node":
                s = n["name"]
                if nid in tags:
                    s += f" [{tags[nid]}]"
                kids = children[nid]
                leaves = [k for k in kids if by_id[k]["kind"] == "leaf"]
                saved = [k for k in kids if by_id[k]["kind"] == "saved"]
                if n["name"] == "AccumulateGrad" and leaves:
                    s += " ← " + _one_line(by_id[leaves[0]])
                if saved:
                    s += "  saved: " + ", ".join(by_id[k]["text"].replace("\n", " ") for k in saved)
                return s
            return _one_line(n)

        def kids_of(nid):
            n = by_id[nid]
            ks = children[nid]
            if n["kind"] == "node":                 # leaves and saved tensors are shown on the node's line
                ks = [k for k in ks if by_id[k]["kind"] == "node"]
            return ks

        out = []
        shown = set()
        roots = [n["id"] for n in self.nodes if parents_count[n["id"]] == 0 and n["kind"] in ("output", "leaf")]
        for r in roots:
            out.append(line_of(r))
            stack = [(k, "", i == len(kids_of(r)) - 1) for i, k in reversed(list(enumerate(kids_of(r))))]
            while stack:
                nid, prefix, last = stack.pop()
                branch = "└─ " if last else "├─ "
                if nid in shown:
                    out.append(prefix + branch + f"{by_id[nid]['name']} [{tags[nid]}] (see above)")
                    continue
                out.append(prefix + branch + line_of(nid))
                if nid in tags:
                    shown.add(nid)
                ks = kids_of(nid)
                sub = prefix + ("   " if last else "│  ")
                for i in reversed(range(len(ks))):
                    stack.append((ks[i], sub, i == len(ks) - 1))
        return "\n".join(out)

    def __str__(self):
        return self.text()

    def __repr__(self):
        return self.text()


def _one_line(n):
    return n["label"].replace("\n", " ")


def _dot_escape(s):
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def graph(t, params=None, show_saved=False):
    """The autograd graph that produced ``t`` (a tensor, or a list/tuple of tensors), as a ``Graph``.

    ``params`` names the leaves: a Module (its ``named_parameters()``), a dict name -> tensor or
    (name, tensor) pairs. ``show_saved=True`` also draws the tensors each node saved for backward
    (before ``backward()`` frees them). ``print(graph(t))`` prints a tree; ``graph(t).source`` is
    Graphviz DOT text; ``graph(t).render("g.svg")`` draws a picture.
    """
    roots = list(t) if isinstance(t, (list, tuple)) else [t]
    for r in roots:
        if not isinstance(r, Tensor):
            raise TypeError(f"graph() expects a tensor or a list of tensors, got {type(r).__name__}")
    return Graph(roots, params=params, show_saved=show_saved)
