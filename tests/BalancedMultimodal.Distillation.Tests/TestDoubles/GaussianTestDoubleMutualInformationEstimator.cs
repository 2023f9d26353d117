using BalancedMultimodal.Core.Information;
using MathNet.Numerics.LinearAlgebra;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Tests.TestDoubles;

/// <summary>
/// TEST DOUBLE (not the library's estimator): the Gaussian closed form I = 1/2 ln(det S_xx det S_yy / det S) from the
/// sample covariance S of [X Y] (METHOD.md section 5), with a small relative ridge so degenerate inputs such as
/// probability vectors (rows summing to 1) stay finite. Real behaviour, used because the Core estimators are written
/// in parallel by another engineer.
/// </summary>
public sealed class GaussianTestDoubleMutualInformationEstimator : IMutualInformationEstimator
{
    public int Calls { get; private set; }

    public string Name => "gaussian-test-double";

    public double Estimate(Tensor x, Tensor y) => Estimate(ToArray(x), ToArray(y));

    public double Estimate(double[,] x, double[,] y)
    {
        Calls++;
        int n = x.GetLength(0), dx = x.GetLength(1), dy = y.GetLength(1);
        if (y.GetLength(0) != n)
            throw new ArgumentException("x and y must have the same number of rows.", nameof(y));
        var joint = Matrix<double>.Build.Dense(n, dx + dy, (i, j) => j < dx ? x[i, j] : y[i, j - dx]);
        var means = joint.ColumnSums() / n;
        var centred = Matrix<double>.Build.Dense(n, dx + dy, (i, j) => joint[i, j] - means[j]);
        var covariance = centred.TransposeThisAndMultiply(centred) / (n - 1);
        double ridge = 1e-9 * covariance.Diagonal().Average() + 1e-300;
        covariance += Matrix<double>.Build.DenseIdentity(dx + dy) * ridge;
        double logDetX = covariance.SubMatrix(0, dx, 0, dx).Cholesky().DeterminantLn;
        double logDetY = covariance.SubMatrix(dx, dy, dx, dy).Cholesky().DeterminantLn;
        double logDet = covariance.Cholesky().DeterminantLn;
        return 0.5 * (logDetX + logDetY - logDet);
    }

    private static double[,] ToArray(Tensor t)
    {
        var matrix = t.dim() == 1 ? t.unsqueeze(1) : t;
        var values = matrix.to(ScalarType.Float64).cpu().data<double>().ToArray();
        var array = new double[matrix.shape[0], matrix.shape[1]];
        Buffer.BlockCopy(values, 0, array, 0, values.Length * sizeof(double));
        return array;
    }
}
