using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace BalancedMultimodal.Distillation.Assessment;

/// <summary>
/// Principal component scores: X_c V_k, where X_c is X with centred columns and V_k the k leading right singular
/// vectors of X_c (the first k columns of U S from the SVD X_c = U S V^T, as scikit-learn's <c>PCA.fit_transform</c>),
/// computed from a thin QR of X_c (or of its transpose when d &gt; n) and the SVD of the small triangular factor, so
/// components far below the largest keep their accuracy. Each component's sign is fixed so that its largest-magnitude
/// score is positive.
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

        // Through a thin QR first, then the SVD of the small triangular factor: the singular values of X_c itself, not
        // the square roots of a scatter matrix's eigenvalues (that route squares the condition number, and lost the
        // components below about 1e-8 of the largest singular value).
        Matrix<double> scores;
        if (d <= n)
        {
            // X_c = Q R, R = U_r S V^T: X_c = (Q U_r) S V^T, scores = X_c V_k.
            var r = centred.QR(QRMethod.Thin).R;
            var svd = r.Svd(computeVectors: true);
            var basis = svd.VT.Transpose().SubMatrix(0, d, 0, k);
            scores = centred * basis;
        }
        else
        {
            // X_c^T = Q R (R n x n), R = U_r S V_r^T: X_c = V_r S (Q U_r)^T, scores = U S = V_r S.
            var r = centred.Transpose().QR(QRMethod.Thin).R;
            var svd = r.Svd(computeVectors: true);
            var left = svd.VT.Transpose();
            scores = Matrix<double>.Build.Dense(n, k, (i, c) => left[i, c] * svd.S[c]);
        }

        for (int c = 0; c < k; c++)
        {
            var column = scores.Column(c);
            if (column[column.AbsoluteMaximumIndex()] < 0)
                scores.SetColumn(c, -column);
        }
        return scores.ToArray();
    }

}
