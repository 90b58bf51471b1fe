"""Linear regression by hand: y = w x + b fitted with gradients from autograd.

The tutorials' version: no nn, no optimizer -- the update is
written out through ``.data`` (so it is not recorded in the graph) and the
gradients are cleared with ``.grad.zero_()``, because ``backward()`` adds to
``.grad`` rather than overwriting it.

Unlike the tutorial, which stops as soon as the loss is below 1 (with b still
near 2), it trains until the gradient is all but zero, and prints the exact
least-squares line through the same points to compare with.

    .venv/bin/python examples/linear_regression.py            # plot in examples/output/
"""
import minitorch as torch

from _common import parser, pyplot, save_figure


def main(argv=None):
    args = parser(__doc__.splitlines()[0], epochs=3000).parse_args(argv)
    if args.quick:
        args.epochs = min(args.epochs, 50)

    torch.manual_seed(10)
    # learning rate. The tutorial's 0.05 sits at the edge of stability: plain gradient descent on this
    # loss diverges once lr > 2 / mean(x^2) (about 2/35 for x in [0, 10]), so with other random data it
    # blows up. 0.02 is safely inside.
    lr = 0.02

    # training data: y = 2x + 5 + noise
    x = torch.rand(20, 1) * 10  # x data (tensor), shape=(20, 1)
    y = 2 * x + (5 + torch.randn(20, 1))  # y data (tensor), shape=(20, 1)

    # the parameters of the linear model
    w = torch.randn((1), requires_grad=True)
    b = torch.zeros((1), requires_grad=True)

    # The tutorial stops as soon as the loss is below 1. With noise of standard deviation 1 that happens
    # while b is still far from 5: the loss is much flatter along b than along w, so b moves slowly. Here
    # training goes on until the gradient is all but zero.
    converged = False
    for iteration in range(args.epochs):
        # forward
        wx = torch.mul(w, x)
        y_pred = torch.add(wx, b)

        # MSE loss
        loss = (0.5 * (y - y_pred) ** 2).mean()

        # backward
        loss.backward()
        converged = max(abs(w.grad.item()), abs(b.grad.item())) < 1e-4

        # update the parameters
        b.data.sub_(lr * b.grad)
        w.data.sub_(lr * w.grad)

        # zero the gradients (backward accumulates into .grad)
        w.grad.zero_()
        b.grad.zero_()

        if iteration % 20 == 0 and (iteration <= 100 or iteration % 500 == 0):
            print("Iteration: {} Loss={:.4f} w: {} b: {}".format(iteration, loss.item(), w.data.numpy(),
                                                                 b.data.numpy()))
        if converged:
            break

    # the exact answer for these 20 points: the least-squares line (what gradient descent converges to)
    xs, ys = x.numpy().ravel().astype("float64"), y.numpy().ravel().astype("float64")
    w_best = ((xs - xs.mean()) * (ys - ys.mean())).sum() / ((xs - xs.mean()) ** 2).sum()
    b_best = ys.mean() - w_best * xs.mean()
    print("{} after iteration {}: Loss={:.4f}, w={:.4f}, b={:.4f}".format(
        "Converged" if converged else "Stopped", iteration, loss.item(), w.item(), b.item()))
    print("The least-squares line through these 20 points: w={:.4f}, b={:.4f} "
          "(they were drawn from y = 2x + 5 + noise)".format(w_best, b_best))

    plt = pyplot(args)
    if plt is not None:
        grid = torch.linspace(0, 10, 2)
        plt.figure(figsize=(6.4, 4.8))
        plt.scatter(x.data.numpy(), y.data.numpy(), label="data: y = 2x + 5 + noise")
        plt.plot(grid.numpy(), (w * grid + b).detach().numpy(), "r-", lw=3,
                 label="fit: y = {:.2f}x + {:.2f}".format(w.item(), b.item()))
        plt.plot(grid.numpy(), 2 * grid.numpy() + 5, "k--", lw=1, label="y = 2x + 5")
        plt.xlabel("x")
        plt.ylabel("y")
        plt.xlim(0, 10)
        plt.legend(loc="upper left")
        plt.title("Linear regression by gradient descent: {} iterations, loss {:.4f}".format(
            iteration + 1, loss.item()))
        save_figure(plt, args, "linear_regression.png")


if __name__ == "__main__":
    main()
