"""Writing the results: a JSON file, a markdown table, and PNG plots (when matplotlib is installed)."""
import json
import os


def _fmt_time(s):
    if s is None:
        return "-"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def _fmt_bytes(b):
    return f"{b / 2**20:.1f} MiB" if b is not None else "-"


def markdown(results, meta):
    """The report as markdown: one table per group, then the environment."""
    lines = [f"# minitorch vs torch ({meta['device']})", ""]
    head = [k for k in ("date", "numpy BLAS", "numpy OpenBLAS kernel", "numpy BLAS threads", "torch BLAS",
                        "torch threads", "note") if k in meta]
    lines += [f"{k}: {meta[k]}  " for k in head] + [""]
    lines += ["Times are medians over interleaved runs (ours, torch, ours, ...); the ratio is the median of the "
              "per-run ratios, with their min–max; runs = runs × calls per run.", ""]
    titles = {"op": "Op level (forward + backward)", "train": "Training step (forward, backward, SGD-momentum)",
              "epoch": "Epoch", "scale-batch": "Scaling with batch size", "scale-width": "Scaling with MLP width"}
    for group in ("op", "train", "epoch", "scale-batch", "scale-width"):
        rows = [r for r in results["timings"] if r["group"] == group]
        if not rows:
            continue
        lines += [f"## {titles[group]}", "",
                  "| workload | minitorch | torch | ratio (ours/torch) | ratio min–max | runs |",
                  "|---|---:|---:|---:|---:|---:|"]
        for r in rows:
            spread = (f"{r['ratio_min']:.2f}–{r['ratio_max']:.2f}" if r.get("ratio_min") is not None
                      and r.get("runs", 1) > 1 else "-")
            runs = f"{r['runs']}×{r.get('calls_per_run', 1)}" if r.get("runs") else "1"
            lines.append(f"| {r['name']} | {_fmt_time(r['ours_s'])} | {_fmt_time(r['torch_s'])} | "
                         f"**{r['ratio']:.2f}** | {spread} | {runs} |")
        lines.append("")
    if results.get("memory"):
        lines += ["## Peak memory of a training step (RSS growth over the steps, after one throwaway step set the libraries "
                  "up; library code pages not counted: benchmarks/memory.py)", "",
                  "| workload | minitorch | torch | ratio |", "|---|---:|---:|---:|"]
        for m in results["memory"]:
            o, t = m.get("ours_bytes"), m.get("torch_bytes")
            ratio = f"{o / t:.2f}" if o and t else "-"
            lines.append(f"| {m['name']} | {_fmt_bytes(o)} | {_fmt_bytes(t)} | {ratio} |")
        lines.append("")
    lines += ["## Method and environment", ""]
    for k, v in meta.items():
        if k not in head:                                   # those are in the header already
            lines.append(f"- {k}: {v}")
    return "\n".join(lines) + "\n"


def write(results, meta, out_dir):
    """Write JSON, markdown and plots under ``out_dir``; return the paths written."""
    os.makedirs(out_dir, exist_ok=True)
    tag = meta["device"].split(" ")[0]
    paths = []
    p = os.path.join(out_dir, f"results-{tag}.json")
    with open(p, "w") as f:
        json.dump({"meta": meta, **results}, f, indent=2)
    paths.append(p)
    p = os.path.join(out_dir, f"report-{tag}.md")
    with open(p, "w") as f:
        f.write(markdown(results, meta))
    paths.append(p)
    paths += plot(results, out_dir, tag)
    return paths


def plot(results, out_dir, tag):
    """Bar chart of the ratio per workload; time against batch size (log-log) for the scaling sweeps."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    paths = []
    rows = [r for r in results["timings"] if r["group"] in ("op", "train", "epoch")]
    if rows:
        fig, ax = plt.subplots(figsize=(9, 0.35 * len(rows) + 1.5))
        names = [r["name"] for r in rows][::-1]
        ratios = [r["ratio"] for r in rows][::-1]
        colors = ["tab:green" if x <= 1 else "tab:orange" if x <= 2 else "tab:red" for x in ratios]
        ax.barh(names, ratios, color=colors)
        ax.axvline(1.0, color="k", lw=1)
        ax.set_xlabel("minitorch time / torch time (lower is better)")
        ax.set_title(f"minitorch vs torch ({tag})")
        fig.tight_layout()
        p = os.path.join(out_dir, f"ratios-{tag}.png")
        fig.savefig(p, dpi=110)
        plt.close(fig)
        paths.append(p)
    sweeps = {}
    for r in results["timings"]:
        if r["group"].startswith("scale"):
            key = (r["group"], r["params"].get("sweep"))
            sweeps.setdefault(key, []).append(r)
    if sweeps:
        fig, axes = plt.subplots(1, len(sweeps), figsize=(5 * len(sweeps), 4), squeeze=False)
        for ax, ((group, model), rs) in zip(axes[0], sorted(sweeps.items())):
            xkey = "width" if group == "scale-width" else "batch"
            xs = [r["params"].get(xkey, 512) for r in rs]
            ax.loglog(xs, [r["ours_s"] * 1e3 for r in rs], "o-", label="minitorch")
            ax.loglog(xs, [r["torch_s"] * 1e3 for r in rs], "s--", label="torch")
            ax.set_xlabel(xkey)
            ax.set_ylabel("ms per training step")
            ax.set_title(f"{model.upper()} step vs {xkey}")
            ax.legend()
        fig.tight_layout()
        p = os.path.join(out_dir, f"scaling-{tag}.png")
        fig.savefig(p, dpi=110)
        plt.close(fig)
        paths.append(p)
    return paths
