"""Writes the task of learning-stages.yaml: 8 samples, one per corner of the 3-label hypercube,
identity inputs (X = I, dX = P = 8) and labels of very different strengths, y_k = s_k * (±1)
with s = (4, 1.5, 0.5). Run from this folder: python3 make_task.py"""
import itertools
import numpy as np

scales = np.array([4.0, 1.5, 0.5])
corners = np.array(list(itertools.product([-1.0, 1.0], repeat=3)))[:, ::-1].T  # 3 x 8, label 1 alternates fastest
np.save("X.npy", np.eye(8))
np.save("Y.npy", scales[:, None] * corners)
