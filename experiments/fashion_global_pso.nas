experiment fashion_global_pso
seed = 0; budget = 200 evaluations
space global { layers in [5, 7, 9]; ops = [conv3x3, maxpool2x2]; filters = [16, 32, 64, 128] }
evaluate keras { dataset = fashion_mnist; epochs = 10; batch_size = 128; validation = 0.1 }
search pygmo.pso { generations = 20; population = 10 }
final { top = 3; epochs = 50 }
run { workers = 2 }
