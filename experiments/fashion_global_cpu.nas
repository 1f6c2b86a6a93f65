# The CPU result of docs/evaluators.md: a short random search of the global space (one epoch on 2,700
# Fashion-MNIST images per candidate, 300 held out to score it), then the best architecture
# it found retrained from scratch for 5 epochs on all 60,000 training images and tested on
# the 10,000 test images. Sized for a 2-core CPU: filters of 16 and 32 keep a retraining epoch
# to about a minute of two cores' time.
experiment fashion_global_cpu
seed = 0
budget = 4 evaluations
space global { layers = 5; ops = [conv3x3, maxpool2x2]; filters = [16, 32] }
evaluate keras { dataset = fashion_mnist; epochs = 1; batch_size = 128; subset = 3000; validation = 0.1 }
search random
final { top = 1; epochs = 5 }
