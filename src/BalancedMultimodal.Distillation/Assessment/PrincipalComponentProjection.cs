using MathNet.Numerics.LinearAlgebra;

namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>
/// Principal component scores: X_c V_k, where X_c is X with centred columns and V_k the k leading eigenvectors of
/// X_c^T X_c (equivalently the first k columns of U S from the SVD X_c = U S V^T, as scikit-learn's
/// <c>PCA.fit_transform</c>). Each component's sign is fixed so that its largest-magnitude score is positive.
/// </summary>
public static class PrincipalComponentProjection
{
    /// <summary>Projects the rows of <paramref name="x"/> onto its leading principal components.</summary>
    /// <param name="x">Data, shape (n, d), n &gt;= 2, finite.</param>
    /// <param name="components">k &gt;= 1; at most min(n, d) components are returned.</param>
    /// <returns>Scores, shape (n, min(k, n, d)).</returns>
    /// <exception cref="ArgumentException">Fewer than 2 rows or no column, or a value that is not finite (naming its row
    /// and column).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="components"/> below 1.</exception>
    public static double[,] Project(double[,] x, int components)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfLessThan(components, 1);
        int n = x.GetLength(0), d = x.GetLength(1);
        if (n < 2 || d < 1)
            throw new ArgumentException($"PCA needs at least 2 rows and 1 column; x is {n} x {d}.", nameof(x));
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                if (!double.IsFinite(x[i, j]))
                    throw new ArgumentException($"PCA needs finite values; x has {x[i, j]} at row {i}, column {j}.", nameof(x));
        int k = Math.Min(components, Math.Min(n, d));

        var centred = Matrix<double>.Build.DenseOfArray(x);
        var means = centred.ColumnSums() / n;
        for (int j = 0; j < d; j++)
            centred.SetColumn(j, centred.Column(j) - means[j]);

        Matrix<double> scores;
        if (d <= n)
        {
            // Eigenvectors of the (d x d) scatter matrix: cheaper than the SVD when there are more rows than columns.
            var evd = centred.TransposeThisAndMultiply(centred).Evd(Symmetricity.Symmetric);
            var order = Leading(evd.EigenValues.Real(), k);
            var basis = Matrix<double>.Build.DenseOfColumnVectors(order.Select(i => evd.EigenVectors.Column(i)));
            scores = centred * basis;
        }
        else
        {
            // Gram route: X_c X_c^T = U S^2 U^T, scores = U S.
            var evd = centred.TransposeAndMultiply(centred).Evd(Symmetricity.Symmetric);
            var values = evd.EigenValues.Real();
            var order = Leading(values, k);
            scores = Matrix<double>.Build.DenseOfColumnVectors(order.Select(i => evd.EigenVectors.Column(i) * Math.Sqrt(Math.Max(values[i], 0))));
        }

        for (int c = 0; c < k; c++)
        {
            var column = scores.Column(c);
            if (column[column.AbsoluteMaximumIndex()] < 0)
                scores.SetColumn(c, -column);
        }
        return scores.ToArray();
    }

    private static int[] Leading(Vector<double> eigenValues, int k) =>
        Enumerable.Range(0, eigenValues.Count).OrderByDescending(i => eigenValues[i]).ThenBy(i => i).Take(k).ToArray();
}
