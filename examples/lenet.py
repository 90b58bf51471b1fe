"""LeNet: a convolutional classifier (Conv2d + MaxPool2d) trained with SGD and momentum 0.9.

The "60 minute blitz" classifier, adapted from CIFAR-10 to MNIST:
one input channel instead of three, and ``padding=2`` on the first convolution
so that the 28 x 28 digits take the 32 x 32 path of the original network
(conv 5x5 -> 28, pool -> 14, conv 5x5 -> 10, pool -> 5, so 16 * 5 * 5 features).
It prints the running loss, the predictions for a few test images, the test
accuracy and the accuracy of every class.

    .venv/bin/python examples/lenet.py                        # built-in SyntheticShapes
    .venv/bin/python examples/lenet.py --data /path/to/mnist --epochs 3
"""
import time

import minitorch as torch
import minitorch.nn as nn
import minitorch.nn.functional as F
import minitorch.optim as optim
from minitorch.utils.data import DataLoader
from minitorch.vision import transforms

from _common import load_datasets, parser, progress, pyplot, save_figure


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


def main(argv=None):
    p = parser(__doc__.splitlines()[0], epochs=2)
    p.add_argument("--lr", type=float, default=0.01, help="learning rate (default 0.01)")
    p.add_argument("--batch-size", type=int, default=64,
                   help="batch size (default 64; the tutorial's 4 is very slow here)")
    p.add_argument("--print-every", type=int, default=200, help="mini-batches between loss lines")
    args = p.parse_args(argv)
    if args.quick:
        args.epochs, args.print_every = min(args.epochs, 1), 2
    torch.manual_seed(0)

    # 1. Load and normalise the data: ToTensor gives [0, 1], Normalize maps it to [-1, 1]
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
    trainset, testset, classes = load_datasets(args, transform)
    trainloader = DataLoader(trainset, batch_size=args.batch_size, shuffle=True)
    testloader = DataLoader(testset, batch_size=args.batch_size, shuffle=False)

    # 2. The convolutional network (on the GPU when there is one)
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    print("Using {} device".format(device))
    net = Net().to(device)
    print(net)

    # 3. Loss function and optimizer
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=args.lr, momentum=0.9)

    # 4. Train the network
    start = time.time()
    for epoch in range(args.epochs):  # loop over the dataset multiple times
        running_loss = 0.0
        bar = progress(trainloader, desc=f"epoch {epoch + 1}")
        for i, data in enumerate(bar, 0):
            # get the inputs
            inputs, labels = data[0].to(device), data[1].to(device)

            # zero the parameter gradients
            optimizer.zero_grad()

            # forward + backward + optimize
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()

            # print statistics
            running_loss += loss.item()
            if i % args.print_every == args.print_every - 1:  # every print_every mini-batches
                bar.set_postfix(loss=running_loss / args.print_every)
                bar.write("[%d, %5d] loss: %.3f" % (epoch + 1, i + 1, running_loss / args.print_every))
                running_loss = 0.0

    print("Finished Training")
    print("Training time: %.1f s" % (time.time() - start))

    # 5. Test the network on the test data: first a few images...
    dataiter = iter(testloader)
    images, labels = next(dataiter)
    images, labels = images.to(device), labels.to(device)
    print("GroundTruth: ", " ".join("%5s" % classes[labels[j]] for j in range(4)))

    with torch.no_grad():
        outputs = net(images)
    _, predicted = torch.max(outputs.data, 1)
    print("Predicted: ", " ".join("%5s" % classes[predicted[j]] for j in range(4)))

    # ... then the whole test set
    correct = 0
    total = 0
    class_correct = list(0. for i in range(10))
    class_total = list(0. for i in range(10))
    with torch.no_grad():
        for data in progress(testloader, desc="test"):
            images_b, labels_b = data[0].to(device), data[1].to(device)
            outputs_b = net(images_b)
            _, predicted_b = torch.max(outputs_b.data, 1)
            total += labels_b.size(0)
            correct += (predicted_b == labels_b).sum().item()
            c = (predicted_b == labels_b).squeeze()
            for i in range(labels_b.size(0)):
                label = labels_b[i]
                class_correct[label] += c[i].item()
                class_total[label] += 1

    print("Accuracy of the network on the %d test images: %.2f %%" % (total, 100 * correct / total))

    # which classes did well, and which did not
    for i in range(10):
        if class_total[i]:
            print("Accuracy of %5s : %2d %%" % (classes[i], 100 * class_correct[i] / class_total[i]))

    plt = pyplot(args)
    if plt is not None:
        n = min(8, images.shape[0])
        fig, axs = plt.subplots(1, n, figsize=(1.6 * n, 2.2))
        for j in range(n):
            img = images[j, 0] / 2 + 0.5  # unnormalise
            axs[j].imshow(img.cpu().numpy(), cmap="gray")
            axs[j].set_title(f"{classes[labels[j]]}\n-> {classes[predicted[j]]}", fontsize=9)
            axs[j].axis("off")
        fig.suptitle("LeNet on the first test images: ground truth -> predicted", y=1.08)
        save_figure(plt, args, "lenet_predictions.png")


if __name__ == "__main__":
    main()
