# The README's CPU result: a short random search of the global space on 6,000 Fashion-MNIST
# training images, then the best architecture it found retrained from scratch on all 60,000
# and tested on the 10,000 test images. Sized for a 2-core CPU.
experiment fashion_global_cpu
seed = 0
budget = 5 evaluations
space global { layers = 5; ops = [conv3x3, maxpool2x2]; filters = [32, 64] }
evaluate keras { dataset = fashion_mnist; epochs = 2; batch_size = 128; subset = 6000; validation = 0.1 }
search random
final { top = 1; epochs = 5 }
