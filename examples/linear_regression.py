"""Linear regression by hand: y = w x + b fitted with gradients from autograd.

The tutorial's version (seeds 001/002): no nn, no optimizer -- the update is
written out through ``.data`` (so it is not recorded in the graph) and the
gradients are cleared with ``.grad.zero_()``, because ``backward()`` adds to
``.grad`` rather than overwriting it.

    python examples/linear_regression.py            # plot in examples/output/
"""
import minitorch as torch

from _common import parser, pyplot, save_figure


def main(argv=None):
    args = parser(__doc__.splitlines()[0], epochs=1000).parse_args(argv)
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

    for iteration in range(args.epochs):
        # forward
        wx = torch.mul(w, x)
        y_pred = torch.add(wx, b)

        # MSE loss
        loss = (0.5 * (y - y_pred) ** 2).mean()

        # backward
        loss.backward()

        # update the parameters
        b.data.sub_(lr * b.grad)
        w.data.sub_(lr * w.grad)

        # zero the gradients (backward accumulates into .grad)
        w.grad.zero_()
        b.grad.zero_()

        if iteration % 20 == 0:
            print("Iteration: {} Loss={:.4f} w: {} b: {}".format(iteration, loss.item(), w.data.numpy(),
                                                                 b.data.numpy()))
        if loss.data.numpy() < 1:
            break

    reason = "Loss < 1" if loss.item() < 1 else "Stopped"
    print("{} after iteration {}: Loss={:.4f}, w={:.4f}, b={:.4f} (the data: y = 2x + 5 + noise)".format(
        reason, iteration, loss.item(), w.item(), b.item()))

    plt = pyplot(args)
    if plt is not None:
        plt.scatter(x.data.numpy(), y.data.numpy())
        plt.plot(x.data.numpy(), y_pred.data.numpy(), "r-", lw=5)
        plt.text(2, 20, "Loss=%.4f" % loss.data.numpy(), fontdict={"size": 20, "color": "red"})
        plt.xlim(1.5, 10)
        plt.ylim(8, 28)
        plt.title("Iteration: {}\nw: {} b: {}".format(iteration, w.data.numpy(), b.data.numpy()))
        save_figure(plt, args, "linear_regression.png")


if __name__ == "__main__":
    main()
