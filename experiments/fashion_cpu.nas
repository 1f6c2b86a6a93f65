# The study's Fashion-MNIST search of the global space, made affordable on a 2-core CPU by
# training most candidates briefly (docs/evaluators.md, "Fashion-MNIST on a CPU", gives the
# measurements behind every number here). ASHA keeps both workers training: a candidate
# starts at 1 epoch on a 10,000-image subset and is promoted to 3, then 9 epochs (continuing
# its training) when it is in the top third of its rung. The best candidate at 9 epochs is
# then retrained from scratch on all 60,000 training images and tested on the 10,000 test
# images. Depths 5 to 9 are searched in one search (the study ran 5, 7 and 9 as three).
experiment fashion_cpu
seed = 0
budget = 100 epochs
space global { layers = 5..9; ops = [conv3x3, maxpool2x2]; filters = [16, 32, 64, 128] }
evaluate keras { dataset = fashion_mnist; epochs = 9; batch_size = 128; subset = 10000; validation = 0.2 }
search asha { min_epochs = 1; eta = 3 }
final { top = 1; epochs = 8 }
run { workers = 2 }
