# Real training, small enough for a 2-core laptop CPU: regularized evolution over shallow
# stacks of the global space, each candidate trained 1 epoch on 3,000 Fashion-MNIST images
# (300 of them held out to score it), then the best retrained for 1 epoch on all 60,000 and
# tested on the 10,000 test images.
experiment fashion_quick
seed = 0
budget = 8 evaluations
space global { layers = 3..4; ops = [conv3x3, maxpool2x2]; filters = [16, 32] }
evaluate keras { dataset = fashion_mnist; epochs = 1; batch_size = 64; subset = 3000; validation = 0.1 }
search regularized_evolution { population = 4; sample = 2; mutation = flip(rate = 1.0) }
final { top = 1; epochs = 1 }
