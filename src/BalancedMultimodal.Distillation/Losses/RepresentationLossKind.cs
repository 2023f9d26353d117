namespace BalancedMultimodal.Distillation.Losses;

/// <summary>How <see cref="DistillationLoss"/> compares the student's embedding with the teacher's (the RE term).</summary>
public enum RepresentationLossKind
{
    /// <summary>
    /// Mean squared error between the learnably projected student embedding and the teacher embedding:
    /// RE = (1 / (B d_t)) sum_b ||P h_s,b - h_t,b||^2, P: Linear(d_s -> d_t) with bias (FitNets-style hint regression).
    /// </summary>
    ProjectedMse,

    /// <summary>
    /// One minus the cosine similarity of the projected student embedding and the teacher embedding, averaged over the rows:
    /// RE = (1 / B) sum_b (1 - cos(P h_s,b, h_t,b)). Insensitive to the scale of the embeddings, at every scale: each
    /// row is first scaled by an exact power of two (<see cref="BalancedMultimodal.Core.PowerOfTwoScaling"/>, a
    /// constant for the gradient), so rows of norm 1e-10 or 1e160 give the cosine of rows of norm 1, where PyTorch's
    /// <c>cosine_similarity</c> alone clamps norms below 1e-8 and overflows above about 1e154 (float64). A zero row
    /// has cosine 0 with every row (RE 1), as in PyTorch; for rows of usual norms the result is PyTorch's to the bit.
    /// </summary>
    Cosine,
}
