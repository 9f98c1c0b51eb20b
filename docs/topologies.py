"""The three topologies of the user guide: MLP, bridged MLP and FCC (drawn at build time)."""

import matplotlib.pyplot as plt


def draw(ax, title, hidden, bridged, n_inputs=2):
    """Inputs at x=0, one column per hidden layer, the linear output last."""
    columns = [[f"x{i + 1}" for i in range(n_inputs)]]
    columns += [[""] * size for size in hidden]
    columns.append(["out"])
    pos = [[(c, (len(col) - 1) / 2 - r) for r in range(len(col))]
           for c, col in enumerate(columns)]
    for c in range(1, len(columns)):
        sources = range(c) if bridged else [c - 1]
        for s in sources:
            for x0, y0 in pos[s]:
                for x1, y1 in pos[c]:
                    # bridges (skipping a layer) bend so that they do not hide each other
                    style = "arc3,rad=0" if c - s == 1 else f"arc3,rad={0.12 * (c - s)}"
                    ax.annotate("", (x1 - 0.12, y1), (x0 + 0.12, y0),
                                arrowprops=dict(arrowstyle="-|>", lw=0.7, color="0.45",
                                                connectionstyle=style, shrinkA=0,
                                                shrinkB=0))
    for c, col in enumerate(columns):
        face = "white" if c == 0 else ("#f4d6a0" if c == len(columns) - 1 else "#9cc3e6")
        for (x, y), label in zip(pos[c], col):
            ax.add_patch(plt.Circle((x, y), 0.12, facecolor=face, edgecolor="k", zorder=3))
            ax.text(x, y, label, ha="center", va="center", fontsize=8, zorder=4)
    ax.set_title(title, fontsize=10)
    ax.set_xlim(-0.4, len(columns) - 0.6)
    ax.set_ylim(-1.6, 1.6)
    ax.set_aspect("equal")
    ax.axis("off")


fig, axes = plt.subplots(1, 3, figsize=(12, 3.2), layout="constrained",
                         gridspec_kw=dict(width_ratios=[4, 4, 5]))
draw(axes[0], 'topology="mlp", hidden_layer_sizes=(3, 2)', [3, 2], bridged=False)
draw(axes[1], 'topology="bmlp", hidden_layer_sizes=(3, 2)', [3, 2], bridged=True)
draw(axes[2], 'topology="fcc", hidden_layer_sizes=(3,)', [1, 1, 1], bridged=True)
