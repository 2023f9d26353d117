using BalancedMultimodal.Core;
using Microsoft.Extensions.Options;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Losses;

/// <summary>
/// Cross-modal distillation loss for a student modality s and a teacher modality t (METHOD.md section 6):
/// <code>
/// L = a1 * CE(z_s, y)                                                   over the labelled rows (optionally class-weighted)
///   + a2 * T^2 * (1/B) sum_b KL( softmax(z_t,b / T) || softmax(z_s,b / T) )   over the B distillation rows (batchmean)
///   + a3 * RE(h_s, h_t)                                                  over the distillation rows
/// </code>
/// RE is <see cref="RepresentationLossKind.ProjectedMse"/> (MSE between P h_s and h_t) or
/// <see cref="RepresentationLossKind.Cosine"/> (1 - cos(P h_s, h_t)), with P a learnable linear projection
/// (d_s -&gt; d_t) owned by this module: train it together with the student (pass <c>parameters()</c> to the optimiser).
/// </summary>
/// <remarks>
/// <para>The teacher's logits and embedding are detached: no gradient ever reaches the teacher.</para>
/// <para>The KL term equals PyTorch's <c>T*T * F.kl_div(F.log_softmax(z_s/T), F.softmax(z_t/T), reduction="batchmean")</c>
/// (Hinton, Vinyals and Dean, "Distilling the knowledge in a neural network", 2015). TorchSharp's <c>kl_div</c>
/// defaults to <c>log_target = true</c> and has no batchmean, so both sides are passed as log-probabilities with
/// <c>log_target: true</c> and a sum is divided by B.</para>
/// <para>The KL and RE terms may use unlabelled rows (the teacher's outputs need no label): pass a distillation mask
/// different from the labelled mask (e.g. all nodes of a transductive graph).</para>
/// </remarks>
public sealed class DistillationLoss : nn.Module
{
    private readonly Linear projection;

    /// <summary>Creates the loss with its projection P: Linear(<paramref name="studentDimension"/> -&gt; <paramref name="teacherDimension"/>).</summary>
    /// <param name="studentDimension">d_s, the width of the student embedding h_s (&gt;= 1).</param>
    /// <param name="teacherDimension">d_t, the width of the teacher embedding h_t (&gt;= 1).</param>
    /// <param name="options">Weights, temperature and representation kind; validated by <see cref="DistillationLossOptionsValidator"/>.</param>
    /// <param name="device">Device of the projection's parameters (default: the default device).</param>
    /// <param name="dtype">Dtype of the projection's parameters (default float32); must match the student embedding's dtype.</param>
    /// <exception cref="ArgumentException">Invalid options (the message names the option) or a non-floating dtype.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dimension below 1.</exception>
    public DistillationLoss(int studentDimension, int teacherDimension, DistillationLossOptions options, Device? device = null, ScalarType? dtype = null)
        : base(nameof(DistillationLoss))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(studentDimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(teacherDimension, 1);
        TensorArguments.FloatingDType(dtype, nameof(dtype));
        Options = OptionsGuard.Validate(new DistillationLossOptionsValidator(), options, nameof(options));
        StudentDimension = studentDimension;
        TeacherDimension = teacherDimension;
        projection = nn.Linear(studentDimension, teacherDimension, hasBias: true, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>Creates the loss from an options monitor value (used by dependency injection).</summary>
    /// <inheritdoc cref="DistillationLoss(int, int, DistillationLossOptions, Device?, ScalarType?)" />
    public DistillationLoss(int studentDimension, int teacherDimension, IOptions<DistillationLossOptions> options, Device? device = null, ScalarType? dtype = null)
        : this(studentDimension, teacherDimension, (options ?? throw new ArgumentNullException(nameof(options))).Value, device, dtype)
    {
    }

    /// <summary>The options (a1, a2, a3, T, representation kind): the object given at construction, not a copy.</summary>
    /// <remarks>Changes made through this object take effect at the next <see cref="Compute"/>, which validates the
    /// options again with <see cref="DistillationLossOptionsValidator"/> (as the constructor) before any work.</remarks>
    public DistillationLossOptions Options { get; }

    /// <summary>d_s, the student embedding width.</summary>
    public int StudentDimension { get; }

    /// <summary>d_t, the teacher embedding width.</summary>
    public int TeacherDimension { get; }

    /// <summary>The learnable projection P (weight shape (d_t, d_s), bias (d_t)) applied to the student embedding in RE.</summary>
    public Linear Projection => projection;

    /// <summary>Computes the loss and each of its terms.</summary>
    /// <param name="studentLogits">z_s, shape (n, C), float32 or float64. Gradient flows into it.</param>
    /// <param name="studentEmbedding">h_s, shape (n, d_s), same dtype as the projection; may be null only if a3 = 0.</param>
    /// <param name="teacherLogits">z_t, shape (n, C); detached inside.</param>
    /// <param name="teacherEmbedding">h_t, shape (n, d_t), the dtype of the projection (and of h_s): one of another dtype
    /// is refused, not converted; detached inside; may be null only if a3 = 0.</param>
    /// <param name="labels">Class indices y, int64, shape (n); only the labelled rows are read and must lie in [0, C).</param>
    /// <param name="labelledMask">Boolean (n): the rows whose labels enter the cross-entropy (must select a row if a1 &gt; 0).</param>
    /// <param name="distillMask">Boolean (n): the rows of the KL and RE terms (must select a row if a2 or a3 &gt; 0);
    /// null means every row.</param>
    /// <param name="classWeights">Optional class weights w, shape (C), floating, on the logits' device, each finite and
    /// positive (e.g. <see cref="BalancedMultimodal.Core.Data.ClassWeights.InverseFrequency"/>): the CE term becomes the
    /// weighted mean sum_i w_{y_i} CE_i / sum_i w_{y_i} over the labelled rows, PyTorch's
    /// <c>F.cross_entropy(z, y, weight=w)</c>; converted to the logits' dtype. Read as data through a detached view:
    /// weights that require a gradient are accepted and receive none. Null (the default): the plain mean. The KL
    /// and RE terms are never weighted.</param>
    /// <returns>The total and the three unweighted terms, 0-d tensors on the inputs' device. The embeddings (one dtype,
    /// the projection's) may have a dtype other than the logits' (e.g. float32 embeddings under float64 logits):
    /// <see cref="DistillationLossTerms.CrossEntropy"/>, <see cref="DistillationLossTerms.KullbackLeibler"/> and
    /// <see cref="DistillationLossTerms.Total"/> are in the logits' dtype, <see cref="DistillationLossTerms.Representation"/>
    /// in the embeddings' dtype (the logits' dtype when it is NaN: no embedding or no distillation row), and RE is
    /// converted to the logits' dtype when a3 RE is added to the total. With logits and embeddings of one dtype every
    /// term has that dtype.</returns>
    /// <exception cref="ArgumentException">A shape, dtype, device or mask problem, naming the argument; a NaN or an
    /// infinity in a row a weighted term reads that makes the loss non-finite (naming the argument and the row; a -inf
    /// logit that leaves the loss finite, e.g. a masked class, is accepted); finite logits that overflow their dtype once
    /// divided by the temperature, making the weighted KL term non-finite (naming the temperature and the dtype); or
    /// <see cref="Options"/> changed since construction and no longer valid (naming the option).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A labelled row whose label is outside [0, C).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public DistillationLossTerms Compute(
        Tensor studentLogits,
        Tensor? studentEmbedding,
        Tensor teacherLogits,
        Tensor? teacherEmbedding,
        Tensor labels,
        Tensor labelledMask,
        Tensor? distillMask = null,
        Tensor? classWeights = null)
    {
        OptionsGuard.Validate(new DistillationLossOptionsValidator(), Options, nameof(Options));
        TensorArgument.ThrowIfNullOrDisposed(studentLogits);
        if (studentEmbedding is not null) TensorArgument.ThrowIfNullOrDisposed(studentEmbedding);
        TensorArgument.ThrowIfNullOrDisposed(teacherLogits);
        if (teacherEmbedding is not null) TensorArgument.ThrowIfNullOrDisposed(teacherEmbedding);
        TensorArgument.ThrowIfNullOrDisposed(labels);
        TensorArgument.ThrowIfNullOrDisposed(labelledMask);
        if (distillMask is not null) TensorArgument.ThrowIfNullOrDisposed(distillMask);
        if (classWeights is not null) TensorArgument.ThrowIfNullOrDisposed(classWeights);
        var device = studentLogits.device;
        TensorArguments.FloatingMatrix(studentLogits, nameof(studentLogits), -1, device);
        long n = studentLogits.shape[0], classes = studentLogits.shape[1];
        TensorArguments.FloatingMatrix(teacherLogits, nameof(teacherLogits), n, device);
        if (teacherLogits.shape[1] != classes)
            throw new ArgumentException($"teacherLogits has {teacherLogits.shape[1]} classes; studentLogits has {classes}.", nameof(teacherLogits));
        if (teacherLogits.dtype != studentLogits.dtype)
            throw new ArgumentException($"teacherLogits is {teacherLogits.dtype}; studentLogits is {studentLogits.dtype}.", nameof(teacherLogits));
        TensorArguments.Labels(labels, nameof(labels), n, device);
        TensorArguments.Mask(labelledMask, nameof(labelledMask), n, device);
        if (distillMask is not null)
            TensorArguments.Mask(distillMask, nameof(distillMask), n, device);
        TensorArguments.ClassWeights(classWeights, nameof(classWeights), classes, device, studentLogits.dtype);
        bool useRepresentation = Options.RepresentationWeight > 0;
        if (studentEmbedding is not null || useRepresentation)
        {
            TensorArguments.FloatingMatrix(studentEmbedding, nameof(studentEmbedding), n, device);
            if (studentEmbedding!.shape[1] != StudentDimension)
                throw new ArgumentException($"studentEmbedding has {studentEmbedding.shape[1]} columns; the projection expects d_s = {StudentDimension}.", nameof(studentEmbedding));
            if (studentEmbedding.dtype != projection.weight!.dtype)
                throw new ArgumentException($"studentEmbedding is {studentEmbedding.dtype} but the projection is {projection.weight.dtype}; create the loss with dtype: {studentEmbedding.dtype}.", nameof(studentEmbedding));
            if (studentEmbedding.device_type != projection.weight.device_type || studentEmbedding.device_index != projection.weight.device_index)
                throw new ArgumentException($"studentEmbedding is on {studentEmbedding.device} but the projection is on {projection.weight.device}; create the loss with device: the embeddings' device (or move it with .to(device)).", nameof(studentEmbedding));
        }
        if (teacherEmbedding is not null || useRepresentation)
        {
            TensorArguments.FloatingMatrix(teacherEmbedding, nameof(teacherEmbedding), n, device);
            if (teacherEmbedding!.shape[1] != TeacherDimension)
                throw new ArgumentException($"teacherEmbedding has {teacherEmbedding.shape[1]} columns; expected d_t = {TeacherDimension}.", nameof(teacherEmbedding));
            // P h_s is in the projection's dtype: a teacher embedding of another dtype would round one side of RE (and
            // the projection's gradient) through the other dtype, so it is refused rather than converted.
            if (teacherEmbedding.dtype != projection.weight!.dtype)
                throw new ArgumentException(
                    $"teacherEmbedding is {teacherEmbedding.dtype} but the projection (whose dtype studentEmbedding must have) is {projection.weight.dtype}; " +
                    $"pass the embeddings in one dtype (e.g. teacherEmbedding.to({projection.weight.dtype}), or a student and a loss created with dtype: {teacherEmbedding.dtype}).",
                    nameof(teacherEmbedding));
        }
        using var scope = NewDisposeScope();
        // The selected rows, whose counts are their lengths (one device read per mask, which nonzero needs anyway).
        var labelledRows = labelledMask.nonzero().squeeze(1);
        var distillRows = distillMask is null ? null : distillMask.nonzero().squeeze(1);
        long labelled = labelledRows.shape[0];
        long distilled = distillRows?.shape[0] ?? n;
        if (labelled == 0 && Options.CrossEntropyWeight > 0)
            throw new ArgumentException("labelledMask selects no row, but the cross-entropy weight is positive.", nameof(labelledMask));
        if (distilled == 0 && (Options.KullbackLeiblerWeight > 0 || useRepresentation))
            throw new ArgumentException("distillMask selects no row, but the KL or representation weight is positive.", nameof(distillMask));
        if (labelled > 0)
            TensorArguments.LabelsInRange(labels, labelledMask, classes, nameof(labels));
        var zt = teacherLogits.detach();

        var crossEntropy = Term(Options.CrossEntropyWeight, labelled, studentLogits, () =>
            nn.functional.cross_entropy(studentLogits.index_select(0, labelledRows), labels.index_select(0, labelledRows),
                weight: classWeights?.detach().to(studentLogits.dtype)));
        var kullbackLeibler = Term(Options.KullbackLeiblerWeight, distilled, studentLogits, () =>
            BatchMeanKullbackLeibler(Rows(studentLogits, distillRows), Rows(zt, distillRows), Options.Temperature));
        var representation = studentEmbedding is null || teacherEmbedding is null
            ? NotANumber(studentLogits.dtype, device)
            : Term(Options.RepresentationWeight, distilled, studentLogits, () =>
                RepresentationTerm(Rows(studentEmbedding, distillRows), Rows(teacherEmbedding.detach(), distillRows)));

        var total = zeros(Array.Empty<long>(), dtype: studentLogits.dtype, device: device);
        if (Options.CrossEntropyWeight > 0) total = total.Plus(crossEntropy.Times(Options.CrossEntropyWeight));
        if (Options.KullbackLeiblerWeight > 0) total = total.Plus(kullbackLeibler.Times(Options.KullbackLeiblerWeight));
        if (useRepresentation) total = total.Plus(representation.to(studentLogits.dtype).Times(Options.RepresentationWeight));
        // One scalar read per call (a training loop's hot path): a NaN or an infinity in a row a weighted term reads makes
        // the total, and every gradient, NaN; only then are those rows searched for the offending one.
        if (!total.detach().isfinite().item<bool>())
        {
            if (labelled > 0 && Options.CrossEntropyWeight > 0)
                TensorArguments.FiniteRows(studentLogits, labelledMask, nameof(studentLogits), "cross-entropy (labelledMask)");
            if (distilled > 0 && Options.KullbackLeiblerWeight > 0)
            {
                TensorArguments.FiniteRows(studentLogits, distillMask, nameof(studentLogits), "KL term (distillMask)");
                TensorArguments.FiniteRows(teacherLogits, distillMask, nameof(teacherLogits), "KL term (distillMask)");
            }
            if (distilled > 0 && useRepresentation && studentEmbedding is not null && teacherEmbedding is not null)
            {
                TensorArguments.FiniteRows(studentEmbedding, distillMask, nameof(studentEmbedding), "representation term (distillMask)");
                TensorArguments.FiniteRows(teacherEmbedding, distillMask, nameof(teacherEmbedding), "representation term (distillMask)");
            }
            if (distilled > 0 && Options.KullbackLeiblerWeight > 0 && !kullbackLeibler.detach().isfinite().item<bool>())
                throw new ArgumentException(
                    TemperatureOverflow(studentLogits, teacherLogits, distillRows, "DistillationLossOptions.Temperature", Options.Temperature),
                    nameof(studentLogits));
            throw new ArgumentException(
                $"The distillation loss is {TensorArguments.ScalarText(total)} although every row it reads is finite: " +
                "an overflow in the logits' dtype (e.g. logits too large for it after division by the temperature).", nameof(studentLogits));
        }

        return new DistillationLossTerms(
            total.MoveToOuterDisposeScope(),
            crossEntropy.MoveToOuterDisposeScope(),
            kullbackLeibler.MoveToOuterDisposeScope(),
            representation.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Functional form of the KL term: T^2 * (1/B) sum_b KL(softmax(z_t,b/T) || softmax(z_s,b/T)) for (B, C) logits,
    /// equal to PyTorch's <c>T*T * kl_div(log_softmax(z_s/T), softmax(z_t/T), reduction="batchmean")</c>.
    /// Gradient flows into both arguments (detach the teacher yourself).
    /// </summary>
    /// <param name="studentLogits">z_s, shape (B, C) with B, C &gt;= 1, floating point, finite.</param>
    /// <param name="teacherLogits">z_t, the same shape, dtype and device as z_s, finite.</param>
    /// <param name="temperature">T &gt; 0 with T^2 a finite positive normal double (about 1.5e-154 &lt;= T &lt;= 1.3e154),
    /// as <see cref="DistillationLossOptionsValidator"/> requires of <see cref="DistillationLossOptions.Temperature"/>.</param>
    /// <returns>A 0-d tensor on the logits' device and dtype, finite.</returns>
    /// <exception cref="ArgumentException">A null, non-matrix, empty, non-floating or non-finite argument, or the two
    /// differ in shape, dtype or device (the argument is named).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not finite and &gt; 0, or its square
    /// is not a finite positive normal double; or the logits divided by it overflow the logits' dtype, which would make the
    /// KL NaN or infinite (the message names the temperature and the dtype).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter.</exception>
    public static Tensor KullbackLeiblerBatchMean(Tensor studentLogits, Tensor teacherLogits, double temperature)
    {
        TensorArgument.ThrowIfNullOrDisposed(studentLogits);
        TensorArgument.ThrowIfNullOrDisposed(teacherLogits);
        if (DistillationLossOptionsValidator.TemperatureProblem(temperature) is { } problem)
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, $"The temperature {problem}");
        TensorArguments.FloatingMatrix(studentLogits, nameof(studentLogits), -1, studentLogits.device);
        if (studentLogits.shape[0] == 0 || studentLogits.shape[1] == 0)
            throw new ArgumentException($"studentLogits [{string.Join(", ", studentLogits.shape)}] must hold at least one row and one class.", nameof(studentLogits));
        TensorArguments.FloatingMatrix(teacherLogits, nameof(teacherLogits), studentLogits.shape[0], studentLogits.device);
        if (!studentLogits.shape.SequenceEqual(teacherLogits.shape))
            throw new ArgumentException($"studentLogits [{string.Join(", ", studentLogits.shape)}] and teacherLogits [{string.Join(", ", teacherLogits.shape)}] must be (B, C) tensors of one shape.", nameof(teacherLogits));
        if (teacherLogits.dtype != studentLogits.dtype)
            throw new ArgumentException($"teacherLogits is {teacherLogits.dtype}; studentLogits is {studentLogits.dtype}.", nameof(teacherLogits));
        TensorArguments.Finite(studentLogits, nameof(studentLogits));
        TensorArguments.Finite(teacherLogits, nameof(teacherLogits));
        var result = BatchMeanKullbackLeibler(studentLogits, teacherLogits, temperature);
        bool finite;
        using (var detached = result.detach())
        using (var isFinite = detached.isfinite())
            finite = isFinite.item<bool>();
        if (finite) return result;
        result.Dispose();
        // Finite logits and an accepted temperature: only the scaled logits' range in their dtype can have overflowed.
        throw new ArgumentOutOfRangeException(nameof(temperature), temperature,
            TemperatureOverflow(studentLogits, teacherLogits, null, "temperature", temperature));
    }

    /// <summary>The message for a KL term that is not finite although every row it reads is: the logits divided by the
    /// temperature (named <paramref name="temperatureName"/>) overflow their dtype, or span beyond its range within a row
    /// (log_softmax subtracts the row's maximum), or T^2 times the KL does.</summary>
    private static string TemperatureOverflow(Tensor studentLogits, Tensor teacherLogits, Tensor? rows, string temperatureName, double temperature)
    {
        using var scope = NewDisposeScope();
        var student = Rows(studentLogits.detach(), rows);
        var teacher = Rows(teacherLogits.detach(), rows);
        double largest = Math.Max(student.abs().max().to(ScalarType.Float64).item<double>(), teacher.abs().max().to(ScalarType.Float64).item<double>());
        var dtype = studentLogits.dtype;
        string Text(double value) => value.ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
        return $"The KL term is not finite at {temperatureName} T = {Text(temperature)}: the logits divided by T (largest |z| / T = " +
            $"{Text(largest / temperature)}, or a row's span) or T^2 times the KL overflow {dtype} (finite up to {Text(finfo(dtype).max)}); " +
            "use a temperature nearer 1 or float64 logits.";
    }

    /// <summary><see cref="KullbackLeiblerBatchMean"/> on arguments already checked (B &gt;= 1).</summary>
    private static Tensor BatchMeanKullbackLeibler(Tensor studentLogits, Tensor teacherLogits, double temperature)
    {
        using var scope = NewDisposeScope();
        long batch = studentLogits.shape[0];
        var logStudent = nn.functional.log_softmax(studentLogits.DividedBy(temperature), 1);
        var logTeacher = nn.functional.log_softmax(teacherLogits.DividedBy(temperature), 1);
        var sum = nn.functional.kl_div(logStudent, logTeacher, log_target: true, reduction: nn.Reduction.Sum);
        return sum.Times(temperature * temperature / batch).MoveToOuterDisposeScope();
    }

    private Tensor RepresentationTerm(Tensor studentEmbedding, Tensor teacherEmbedding)
    {
        var projected = projection.forward(studentEmbedding);
        return Options.Representation switch
        {
            RepresentationLossKind.ProjectedMse => nn.functional.mse_loss(projected, teacherEmbedding, nn.Reduction.Mean),
            _ => CosineTerm(projected, teacherEmbedding),
        };
    }

    /// <summary>1 - cos per row, averaged: rows scaled by exact powers of two (constants for autograd), so the cosine is
    /// unchanged, to the bit for usual norms in float32 and float64, and no longer clamped (tiny norms) or overflowed
    /// (huge ones); half precision is computed in float32 (its scaled small entries would turn subnormal).</summary>
    private static Tensor CosineTerm(Tensor projected, Tensor teacherEmbedding)
    {
        var dtype = projected.dtype;
        if (dtype is ScalarType.Float16 or ScalarType.BFloat16)
        {
            projected = projected.to(ScalarType.Float32);
            teacherEmbedding = teacherEmbedding.to(ScalarType.Float32);
        }
        var cosine = nn.functional.cosine_similarity(projected * PowerOfTwoScaling.RowScales(projected),
            teacherEmbedding * PowerOfTwoScaling.RowScales(teacherEmbedding), 1, 1e-8);
        return cosine.SubtractedFrom(1.0).mean().to(dtype);
    }

    private static Tensor Rows(Tensor tensor, Tensor? rows) => rows is null ? tensor : tensor.index_select(0, rows);

    // A term with weight 0 is still reported (for logging) but computed without gradient; with no rows it is NaN.
    private static Tensor Term(double weight, long rows, Tensor like, Func<Tensor> compute)
    {
        if (weight > 0)
            return compute();
        if (rows == 0)
            return NotANumber(like.dtype, like.device);
        using var noGrad = no_grad();
        return compute().detach();
    }

    /// <summary>A zero-dimensional NaN (a term that cannot be computed), its Scalar disposed after the call.</summary>
    private static Tensor NotANumber(ScalarType dtype, Device device)
    {
        using var nan = double.NaN.ToScalar();
        return full(Array.Empty<long>(), nan, dtype: dtype, device: device);
    }
}
