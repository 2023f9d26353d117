namespace BalancedMultimodal.Core.Information;

/// <summary>The check that the resampling procedures (<see cref="PermutationTest"/>, <see cref="BootstrapConfidenceInterval"/>)
/// apply to every value an estimator returns: a NaN compares false with everything, so a NaN null value would count as
/// below the observed one (a p-value of 1/(P + 1), the most significant possible) and a NaN in the resamples makes the
/// interval NaN.</summary>
internal static class FiniteEstimate
{
    /// <summary>Returns <paramref name="value"/> when finite; otherwise refuses it naming the estimator and the estimate.</summary>
    /// <exception cref="InvalidOperationException">A NaN or infinite estimate.</exception>
    public static double Checked(double value, IMutualInformationEstimator estimator, string which) =>
        double.IsFinite(value)
            ? value
            : throw new InvalidOperationException(
                $"The estimator '{estimator.Name}' returned {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} for {which}; a p-value or an interval needs finite estimates.");
}
