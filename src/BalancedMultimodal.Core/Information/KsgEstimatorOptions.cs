namespace BalancedMultimodal.Core.Information;

/// <summary>Options of <see cref="KsgEstimator"/> (configuration section <c>Ksg</c>).</summary>
public sealed class KsgEstimatorOptions
{
    /// <summary>Number of nearest neighbours k in the joint space (Kraskov et al. use 2-4). Default 3, as in
    /// scikit-learn's <c>mutual_info_regression</c>. Must be at least 1 and below the sample count.</summary>
    public int K { get; set; } = 3;

    /// <summary>Query rows per block of the brute-force neighbour search. Default 0 = automatic: the largest
    /// b with b * n * max(d, 4) under 64M elements, so memory stays bounded at any n. Must be 0 or positive.</summary>
    public int BlockSize { get; set; }

    /// <summary>
    /// Whether each column of X and of Y is divided by its population standard deviation before the neighbour search:
    /// <code>
    /// x_ij &lt;- x_ij / sd_j,   sd_j = sqrt( (1/n) sum_i (x_ij - mean_j)^2 )   (ddof = 0; a column constant relative to
    ///                                                                     its magnitude is divided by 1)
    /// </code>
    /// sd_j is computed on the column multiplied by the exact power of two s_j that brings its largest magnitude
    /// m_j = max_i |x_ij| into [0.5, 1), so it neither overflows (|x| above ~1e154) nor underflows, and a column counts
    /// as constant when that pre-scaled standard deviation is below 10 * 2^-52 (sd_j below 10 to 20 * 2^-52 * m_j). The
    /// threshold is thus relative to the column's largest magnitude: for columns of magnitude ~1 (m_j in [0.5, 1)) it is
    /// scikit-learn's absolute sd_j &lt; 10 * 2^-52, for columns far from unit scale a deliberate difference (scikit-learn
    /// treats a varying column of magnitude 1e-16 as constant; this option scales it like any other). The relative rule
    /// holds down to m_j = 2^-1024 (s_j cannot exceed 2^1023); a column of subnormal values below that counts as constant
    /// unless its standard deviation is a few times 4.9e-324.
    /// (likewise y). This is the <c>sklearn.preprocessing.scale(X, with_mean=False)</c> that scikit-learn's public
    /// <c>mutual_info_regression</c> applies to every continuous column and to y before its KSG core (which then also adds
    /// noise of 1e-10 * max(1, mean |x_j|) and clips at 0, neither of which this option does). KSG with the max-norm is not
    /// invariant to rescaling one variable or one column (the k-th neighbour is found under
    /// max(||x_j - x_i||, ||y_j - y_i||), so a stretched variable dominates the radius); scaled columns make the
    /// estimate invariant to positive per-column factors (up to rounding, for any factor that keeps the values finite
    /// and normal). Default false: the data as given (scikit-learn's private
    /// <c>_compute_mi_cc</c>), so existing estimates are unchanged. Applies to every path: tensor and array inputs, any
    /// block size and the permutation fast path (the scale of a column does not change under a row permutation).
    /// Reference: scikit-learn 1.2 <c>sklearn/feature_selection/_mutual_info.py</c> (<c>_estimate_mi</c>) and
    /// <c>sklearn.preprocessing.scale</c> with <c>_handle_zeros_in_scale</c>.
    /// </summary>
    public bool ScaleColumns { get; set; }
}
