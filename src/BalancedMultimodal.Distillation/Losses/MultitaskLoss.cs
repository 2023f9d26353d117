using BalancedMultimodal.Core;
using BalancedMultimodal.Distillation.Weighting;
using static TorchSharp.torch;

namespace BalancedMultimodal.Distillation.Losses;

/// <summary>
/// The phase-2 multitask loss (METHOD.md section 1):
/// <code>
/// L = CE(z_fused, y) + Weighter.WeightedLoss([CE(z_1, y), ..., CE(z_M, y)]) + sum_s L_distill,s
/// </code>
/// over the labelled rows (each CE optionally class-weighted). The middle term is the
/// <see cref="IModalityLossWeighter"/>'s combination: sum_m w_m CE(z_m, y) for fixed weights,
/// sum_m exp(-s_m) CE(z_m, y) + s_m for <see cref="UncertaintyWeighter"/>. Then come the optional
/// distillation totals (each from <see cref="DistillationLoss.Compute"/>, already weighted by its a1..a3). Build those
/// distillation losses with <see cref="DistillationLossOptions.CrossEntropyWeight"/> = 0 (as <c>BalancedTrainer</c> does in
/// phase 2): the sum above already holds each student's CE(z_m, y), which a1 &gt; 0 would count a second time.
/// </summary>
public sealed class MultitaskLoss
{
    /// <summary>Creates the loss around a weighting policy.</summary>
    /// <param name="weighter">The policy that weights the per-modality losses; update it once per evaluation step.</param>
    public MultitaskLoss(IModalityLossWeighter weighter)
    {
        Weighter = weighter ?? throw new ArgumentNullException(nameof(weighter));
    }

    /// <summary>The weighting policy.</summary>
    public IModalityLossWeighter Weighter { get; }

    /// <summary>Computes the loss and every term.</summary>
    /// <param name="fusedLogits">Fused classifier logits, shape (n, C), float32 or float64.</param>
    /// <param name="modalityLogits">One (n, C) logit tensor per modality (auxiliary heads), as many as the weighter's
    /// modalities, each of <paramref name="fusedLogits"/>' dtype (one of another dtype is refused, not converted).</param>
    /// <param name="labels">Class indices, int64, shape (n); only labelled rows are read and must lie in [0, C).</param>
    /// <param name="labelledMask">Boolean (n), the rows of the cross-entropies; must select at least one row.</param>
    /// <param name="distillationLosses">Optional 0-d distillation totals (e.g. <see cref="DistillationLossTerms.Total"/>) added as they are.</param>
    /// <param name="classWeights">Optional class weights w, shape (C), floating, on the logits' device, each finite and
    /// positive (e.g. <see cref="BalancedMultimodal.Core.Data.ClassWeights.InverseFrequency"/>): every CE (fused and per
    /// modality) becomes the weighted mean sum_i w_{y_i} CE_i / sum_i w_{y_i}, PyTorch's <c>F.cross_entropy(z, y, weight=w)</c>;
    /// converted to each logit tensor's dtype. Read as data through a detached view: weights that require a gradient
    /// are accepted and receive none. Null (the default): the plain mean.</param>
    /// <returns>The total and every term.</returns>
    /// <exception cref="ArgumentException">A shape, dtype, device or count problem, or a NaN or an infinity in a row a
    /// cross-entropy reads or in a distillation loss that makes the loss non-finite, naming the argument and the modality
    /// index (a row count is checked against the one most of the logits, labels and mask share, so the tensor that
    /// disagrees is the one named).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument or a tensor in <paramref name="modalityLogits"/> or
    /// <paramref name="distillationLosses"/> has been disposed; <see cref="ObjectDisposedException.ObjectName"/> names
    /// the parameter (<c>modalityLogits[i]</c> for an entry).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A labelled row whose label is outside [0, C) (naming
    /// <paramref name="labels"/> and the row).</exception>
    public MultitaskLossTerms Compute(
        Tensor fusedLogits,
        IReadOnlyList<Tensor> modalityLogits,
        Tensor labels,
        Tensor labelledMask,
        IReadOnlyList<Tensor>? distillationLosses = null,
        Tensor? classWeights = null) =>
        Compute(fusedLogits, modalityLogits, labels, labelledMask, distillationLosses, classWeights, modalityLabelledMasks: null);

    /// <summary>Computes the loss and every term when samples may lack modalities: CE(z_m, y) of modality m runs over the
    /// rows of its own mask (the labelled rows that have the modality), the fused CE over <paramref name="labelledMask"/>;
    /// otherwise as <see cref="Compute(Tensor, IReadOnlyList{Tensor}, Tensor, Tensor, IReadOnlyList{Tensor}?, Tensor?)"/>.</summary>
    /// <param name="fusedLogits">Fused classifier logits, shape (n, C), float32 or float64.</param>
    /// <param name="modalityLogits">One (n, C) logit tensor per modality (auxiliary heads), as many as the weighter's
    /// modalities, each of <paramref name="fusedLogits"/>' dtype (one of another dtype is refused, not converted).</param>
    /// <param name="labels">Class indices, int64, shape (n); only labelled rows are read and must lie in [0, C).</param>
    /// <param name="labelledMask">Boolean (n), the rows of the fused cross-entropy; must select at least one row.</param>
    /// <param name="distillationLosses">Optional 0-d distillation totals added as they are.</param>
    /// <param name="classWeights">Optional class weights, as in the overload without per-modality masks (read through a
    /// detached view: they receive no gradient).</param>
    /// <param name="modalityLabelledMasks">Null (every modality uses <paramref name="labelledMask"/>), or one entry per
    /// modality: null (that modality uses <paramref name="labelledMask"/>) or a boolean (n) mask selecting at least one
    /// row, the rows of that modality's cross-entropy. Last, after the other overload's parameters in their order: pass it
    /// by name (<c>modalityLabelledMasks: masks</c>) so that no argument moves when a call gains it.</param>
    /// <returns>The total and every term.</returns>
    /// <exception cref="ArgumentException">A shape, dtype, device, count or empty-mask problem, or a NaN or an infinity in a
    /// row a cross-entropy reads or in a distillation loss that makes the loss non-finite, naming the argument and the
    /// modality index (a row count is checked against the one most of the logits, labels and mask share, so the tensor
    /// that disagrees is the one named).</exception>
    /// <exception cref="ObjectDisposedException">A tensor argument or a tensor in <paramref name="modalityLogits"/> or
    /// <paramref name="modalityLabelledMasks"/> or <paramref name="distillationLosses"/> has been disposed;
    /// <see cref="ObjectDisposedException.ObjectName"/> names the parameter (<c>modalityLogits[i]</c> for an
    /// entry).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A row of <paramref name="labelledMask"/> or of a modality's own
    /// mask whose label is outside [0, C) (naming <paramref name="labels"/> and the row).</exception>
    public MultitaskLossTerms Compute(
        Tensor fusedLogits,
        IReadOnlyList<Tensor> modalityLogits,
        Tensor labels,
        Tensor labelledMask,
        IReadOnlyList<Tensor>? distillationLosses,
        Tensor? classWeights,
        IReadOnlyList<Tensor?>? modalityLabelledMasks)
    {
        TensorArgument.ThrowIfNullOrDisposed(fusedLogits);
        TensorArgument.ThrowIfNullOrAnyDisposed(modalityLogits);
        TensorArgument.ThrowIfNullOrDisposed(labels);
        TensorArgument.ThrowIfNullOrDisposed(labelledMask);
        if (modalityLabelledMasks is not null) TensorArgument.ThrowIfNullOrAnyDisposed(modalityLabelledMasks);
        if (distillationLosses is not null) TensorArgument.ThrowIfNullOrAnyDisposed(distillationLosses);
        if (classWeights is not null) TensorArgument.ThrowIfNullOrDisposed(classWeights);
        var device = fusedLogits.device;
        // n is the row count most inputs share, so a row count that disagrees is blamed on its own tensor (fusedLogits
        // included) rather than on the first one compared with it.
        long n = TensorArguments.ConsensusRows([fusedLogits, .. modalityLogits, labels, labelledMask]);
        TensorArguments.FloatingMatrix(fusedLogits, nameof(fusedLogits), n, device);
        long classes = fusedLogits.shape[1];
        if (modalityLogits.Count != Weighter.ModalityCount)
            throw new ArgumentException($"Expected {Weighter.ModalityCount} modality logit tensors (the weighter's modalities); got {modalityLogits.Count}.", nameof(modalityLogits));
        for (int m = 0; m < modalityLogits.Count; m++)
        {
            TensorArguments.FloatingMatrix(modalityLogits[m], $"{nameof(modalityLogits)}[{m}]", n, device);
            if (modalityLogits[m].shape[1] != classes)
                throw new ArgumentException($"modalityLogits[{m}] has {modalityLogits[m].shape[1]} classes; fusedLogits has {classes}.", nameof(modalityLogits));
            if (modalityLogits[m].dtype != fusedLogits.dtype)
                throw new ArgumentException($"modalityLogits[{m}] is {modalityLogits[m].dtype}; fusedLogits is {fusedLogits.dtype}.", nameof(modalityLogits));
        }
        TensorArguments.Labels(labels, nameof(labels), n, device);
        TensorArguments.Mask(labelledMask, nameof(labelledMask), n, device);
        if (modalityLabelledMasks is not null && modalityLabelledMasks.Count != modalityLogits.Count)
            throw new ArgumentException($"Expected {modalityLogits.Count} modality masks (one per modality, null for labelledMask), got {modalityLabelledMasks.Count}.", nameof(modalityLabelledMasks));
        using var scope = NewDisposeScope();
        // The selected rows, whose counts are their lengths (one device read per mask, which nonzero needs anyway).
        var rows = labelledMask.nonzero().squeeze(1);
        if (rows.shape[0] == 0)
            throw new ArgumentException("labelledMask selects no row.", nameof(labelledMask));
        TensorArguments.LabelsInRange(labels, labelledMask, classes, nameof(labels));
        var ownRows = new Tensor?[modalityLogits.Count];
        if (modalityLabelledMasks is not null)
        {
            for (int m = 0; m < modalityLabelledMasks.Count; m++)
            {
                if (modalityLabelledMasks[m] is not { } mask) continue;
                TensorArguments.Mask(mask, $"{nameof(modalityLabelledMasks)}[{m}]", n, device);
                ownRows[m] = mask.nonzero().squeeze(1);
                if (ownRows[m]!.shape[0] == 0)
                    throw new ArgumentException($"modalityLabelledMasks[{m}] selects no row.", nameof(modalityLabelledMasks));
                TensorArguments.LabelsInRange(labels, mask, classes, nameof(labels));
            }
        }
        TensorArguments.ClassWeights(classWeights, nameof(classWeights), classes, device,
            [fusedLogits.dtype, .. modalityLogits.Select(z => z.dtype)]);
        if (distillationLosses is not null)
        {
            for (int i = 0; i < distillationLosses.Count; i++)
            {
                var term = distillationLosses[i] ?? throw new ArgumentNullException(nameof(distillationLosses), $"distillationLosses[{i}] is null.");
                if (term.numel() != 1 || !term.is_floating_point())
                    throw new ArgumentException($"distillationLosses[{i}] must be a floating-point scalar tensor; it is {term.dtype} [{string.Join(", ", term.shape)}].", nameof(distillationLosses));
                if (term.device.type != device.type || term.device.index != device.index)
                    throw new ArgumentException($"distillationLosses[{i}] is on {term.device}; fusedLogits is on {device}.", nameof(distillationLosses));
            }
        }

        var y = labels.index_select(0, rows);
        // Class weights are data: a detached view, so weights that require a gradient are read as values (libtorch's
        // weighted NLL cannot differentiate with respect to them) and never receive one.
        var weight = classWeights?.detach();
        var fused = nn.functional.cross_entropy(fusedLogits.index_select(0, rows), y, weight: weight?.to(fusedLogits.dtype));
        var perModality = modalityLogits.Select((z, m) =>
        {
            if (ownRows[m] is not { } own)
                return nn.functional.cross_entropy(z.index_select(0, rows), y, weight: weight?.to(z.dtype));
            return nn.functional.cross_entropy(z.index_select(0, own), labels.index_select(0, own), weight: weight?.to(z.dtype));
        }).ToArray();
        CheckFinite(fused, perModality, fusedLogits, modalityLogits, labelledMask, modalityLabelledMasks, distillationLosses);
        var weights = Weighter.Weights.ToArray();
        var weighted = Weighter.WeightedLoss(perModality).to(fused.dtype);
        var distillation = zeros(Array.Empty<long>(), dtype: fused.dtype, device: device);
        if (distillationLosses is not null)
        {
            foreach (var term in distillationLosses)
                distillation = distillation.Plus(term.reshape(Array.Empty<long>()).to(fused.dtype));
        }
        var total = fused.Plus(weighted).Plus(distillation);
        return new MultitaskLossTerms(
            total.MoveToOuterDisposeScope(),
            fused.MoveToOuterDisposeScope(),
            perModality.Select(l => l.MoveToOuterDisposeScope()).ToArray(),
            weights,
            weighted.MoveToOuterDisposeScope(),
            distillation.MoveToOuterDisposeScope());
    }

    /// <summary>One scalar read per call (a training loop's hot path): a NaN or an infinity in a row a cross-entropy
    /// reads, or in a distillation loss, makes the total and every gradient NaN; only then are the arguments searched for
    /// the offending row or term, which the message names.</summary>
    private static void CheckFinite(Tensor fused, Tensor[] perModality, Tensor fusedLogits, IReadOnlyList<Tensor> modalityLogits, Tensor labelledMask,
        IReadOnlyList<Tensor?>? modalityLabelledMasks, IReadOnlyList<Tensor>? distillationLosses)
    {
        using var scope = NewDisposeScope();
        var parts = new List<Tensor> { fused.detach().reshape(1) };
        parts.AddRange(perModality.Select(l => l.detach().reshape(1).to(fused.dtype)));
        if (distillationLosses is not null) parts.AddRange(distillationLosses.Select(l => l.detach().reshape(1).to(fused.dtype)));
        if (cat(parts.ToArray()).isfinite().all().item<bool>()) return;
        TensorArguments.FiniteRows(fusedLogits, labelledMask, nameof(fusedLogits), "fused cross-entropy (labelledMask)");
        for (int m = 0; m < modalityLogits.Count; m++)
            TensorArguments.FiniteRows(modalityLogits[m], modalityLabelledMasks?[m] ?? labelledMask, $"{nameof(modalityLogits)}[{m}]",
                modalityLabelledMasks?[m] is null ? "cross-entropy (labelledMask)" : $"cross-entropy (modalityLabelledMasks[{m}])");
        for (int i = 0; i < (distillationLosses?.Count ?? 0); i++)
            if (!distillationLosses![i].detach().isfinite().all().item<bool>())
                throw new ArgumentException($"distillationLosses[{i}] is {TensorArguments.ScalarText(distillationLosses[i])}; it must be finite.", nameof(distillationLosses));
        throw new ArgumentException("A cross-entropy is not finite although every row it reads is: an overflow in the logits' dtype.", nameof(fusedLogits));
    }
}
