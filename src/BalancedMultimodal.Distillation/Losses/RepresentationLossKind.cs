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
    /// RE = (1 / B) sum_b (1 - cos(P h_s,b, h_t,b)). Insensitive to the scale of the embeddings.
    /// </summary>
    Cosine,
}
