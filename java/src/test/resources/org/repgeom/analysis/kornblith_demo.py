# Writes the data of the demo notebook of Kornblith et al. (2019), "Similarity of neural network
# representations revisited" (google-research/representation_similarity/Demo.ipynb): 100 examples,
# 10 features each, X ~ N(0, 1) and Y = N(0, 1) + X from numpy's legacy generator seeded 1337.
# The notebook prints linear CKA 0.55761 and debiased linear CKA 0.51346 for this pair.
# Stored transposed (features x examples), the repgeom convention; CkaTest reproduces both values.
import numpy as np

np.random.seed(1337)
x = np.random.randn(100, 10)
y = np.random.randn(100, 10) + x
np.save("kornblith_demo_x.npy", np.ascontiguousarray(x.T))
np.save("kornblith_demo_y.npy", np.ascontiguousarray(y.T))
