using System.Globalization;
using BalancedMultimodal.Graph.Fusion;
using BalancedMultimodal.Graph.Graphs;
using TorchSharp;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// Attaches new samples to a trained cohort graph, as MOGONET attaches its test samples: each new node i receives
/// directed edges from its k most similar cohort nodes (cohort -&gt; new, so messages flow into the new node only), and
/// the cohort's own edges are kept exactly as they were.
/// </summary>
/// <remarks>
/// <para>Similarity of new sample i to cohort node j: for every modality m that i has, the affinity W^m_ij of
/// <see cref="InductiveAffinity"/> (the cohort graph's kernel) normalised over the cohort,
/// P^m_ij = W^m_ij / sum_j' W^m_ij' (the row normalisation SNF starts from, which puts the modalities on one scale);
/// then S_ij = mean over i's available modalities of P^m_ij. SNF itself cannot be rerun for one new row without
/// changing the cohort's fused matrix, so this average of the per-modality normalised kernels stands in for it.</para>
/// <para>Relation <c>fused</c> gets the top-k of S_i; relation <c>modality{m}</c> (when the cohort graph has the
/// per-modality relations) the top-k of W^m_i, and no edge when i lacks modality m. Edge weights are the similarities;
/// since relational mean aggregation normalises each node's incoming weights, their scale does not matter. New nodes
/// get no edges among themselves, so each prediction is independent of the other new samples, and cohort nodes get no
/// new incoming edge, so their embeddings are unchanged.</para>
/// </remarks>
public static class InductiveGraph
{
    /// <summary>Returns the union graph over the n_c cohort nodes followed by the n_new new nodes.</summary>
    /// <param name="cohortGraph">The trained cohort graph (relations <c>fused</c> and optionally <c>modality{m}</c>).</param>
    /// <param name="cohortFeatures">Per modality the cohort's model-input features (n_c, d_m).</param>
    /// <param name="sampleFeatures">Per modality the new samples' model-input features (n_new, d_m).</param>
    /// <param name="available">Per modality, which new samples have it (every sample must have at least one).</param>
    /// <param name="affinity">The affinity options the cohort graph was built with.</param>
    /// <param name="neighbours">k, the cohort neighbours each new node is attached to (below the number of eligible cohort nodes).</param>
    /// <param name="eligibleCohortNodes">The cohort nodes a new node may be attached to, distinct and increasing (null: all):
    /// the kernels W^m and their normalisation run over these nodes only, as if the cohort were them alone. A cohort
    /// trained on incomplete samples passes its complete samples (the others hold imputed features).</param>
    /// <param name="cohortAvailable">Per modality, which cohort nodes have it (null, or a null entry: all). When given,
    /// modality m's kernel and its normalisation run over the eligible cohort nodes that have m (P^m_ij = 0 elsewhere),
    /// and S_ij = (sum over the modalities both i and j have of P^m_ij) / (their number), 0 when they share none: the
    /// attachment of <see cref="IncompleteSampleGraph.FuseAvailableModalities"/>, whose graph links incomplete cohort
    /// samples too.</param>
    /// <returns>A new graph (the caller disposes it).</returns>
    public static RelationalGraph Attach(RelationalGraph cohortGraph, IReadOnlyList<Tensor> cohortFeatures, IReadOnlyList<Tensor> sampleFeatures,
        IReadOnlyList<bool[]> available, AffinityOptions affinity, int neighbours, IReadOnlyList<int>? eligibleCohortNodes = null,
        IReadOnlyList<bool[]?>? cohortAvailable = null)
    {
        ArgumentNullException.ThrowIfNull(cohortGraph);
        ArgumentNullException.ThrowIfNull(cohortFeatures);
        ArgumentNullException.ThrowIfNull(sampleFeatures);
        ArgumentNullException.ThrowIfNull(available);
        ArgumentNullException.ThrowIfNull(affinity);
        long cohortSize = cohortGraph.NodeCount;
        int modalities = cohortFeatures.Count;
        if (modalities == 0) throw new ArgumentException("At least one modality is needed.", nameof(cohortFeatures));
        if (sampleFeatures.Count != modalities || available.Count != modalities)
            throw new ArgumentException($"{modalities} cohort feature matrices, {sampleFeatures.Count} new-sample feature matrices and {available.Count} availability masks do not match.", nameof(sampleFeatures));
        int sampleCount = (int)(sampleFeatures[0] ?? throw new ArgumentNullException(nameof(sampleFeatures), "Modality 0: new-sample features are missing.")).shape[0];
        var device = cohortGraph.Device;
        for (int m = 0; m < modalities; m++)
        {
            var cohort = cohortFeatures[m] ?? throw new ArgumentNullException(nameof(cohortFeatures), $"Modality {m}: cohort features are missing.");
            var sample = sampleFeatures[m] ?? throw new ArgumentNullException(nameof(sampleFeatures), $"Modality {m}: new-sample features are missing.");
            if (cohort.dim() != 2 || cohort.shape[0] != cohortSize)
                throw new ArgumentException($"Modality {m}: cohort features must be ({cohortSize}, d), got ({string.Join(", ", cohort.shape)}).", nameof(cohortFeatures));
            if (sample.dim() != 2 || sample.shape[0] != sampleCount || sample.shape[1] != cohort.shape[1])
                throw new ArgumentException($"Modality {m}: new-sample features must be ({sampleCount}, {cohort.shape[1]}), got ({string.Join(", ", sample.shape)}).", nameof(sampleFeatures));
            if (available[m] is null || available[m].Length != sampleCount)
                throw new ArgumentException($"Modality {m}: the availability mask needs {sampleCount} entries, got {available[m]?.Length ?? 0}.", nameof(available));
            foreach (var (name, t) in new[] { ("cohort", cohort), ("new-sample", sample) })
                if (t.device.type != device.type || t.device.index != device.index)
                    throw new ArgumentException($"Modality {m}: the {name} features are on {t.device} but the cohort graph is on {device}.", nameof(sampleFeatures));
        }
        for (int i = 0; i < sampleCount; i++)
            if (!Enumerable.Range(0, modalities).Any(m => available[m][i]))
                throw new ArgumentException($"New sample {i} has no available modality.", nameof(available));
        if (eligibleCohortNodes is not null)
            for (int e = 0; e < eligibleCohortNodes.Count; e++)
                if (eligibleCohortNodes[e] < 0 || eligibleCohortNodes[e] >= cohortSize || (e > 0 && eligibleCohortNodes[e] <= eligibleCohortNodes[e - 1]))
                    throw new ArgumentException($"eligibleCohortNodes must be distinct increasing nodes in [0, {cohortSize}); entry {e} is {eligibleCohortNodes[e]}.", nameof(eligibleCohortNodes));
        if (cohortAvailable is not null)
        {
            if (cohortAvailable.Count != modalities)
                throw new ArgumentException($"{cohortAvailable.Count} cohort availability masks for {modalities} modalities.", nameof(cohortAvailable));
            for (int m = 0; m < modalities; m++)
                if (cohortAvailable[m] is { } mask && mask.Length != cohortSize)
                    throw new ArgumentException($"Modality {m}: the cohort availability mask needs {cohortSize} entries, got {mask.Length}.", nameof(cohortAvailable));
        }
        long eligibleCount = eligibleCohortNodes?.Count ?? cohortSize;
        if (neighbours < 1 || neighbours >= eligibleCount)
            throw new ArgumentOutOfRangeException(nameof(neighbours), neighbours, $"k must lie in [1, {eligibleCount - 1}].");
        // A new sample having only modality m is compared with the eligible cohort nodes having m: its kernel needs more
        // of them than Affinity.K, and its k edges at least k of them (else it would get zero-weight edges).
        // (Without cohort masks every eligible node has every modality.)
        for (int m = 0; m < modalities; m++)
        {
            if (!available[m].Any(a => a)) continue;
            var have = cohortAvailable?[m];
            int having = have is null ? (int)eligibleCount : (eligibleCohortNodes ?? Enumerable.Range(0, (int)cohortSize).ToArray()).Count(e => have[e]);
            if (having <= affinity.K || having < neighbours)
                throw new ArgumentException(
                    $"Modality {m}: {having} eligible cohort node(s) have it; attaching new samples by it needs more than Affinity.K = {affinity.K} and at least k = {neighbours}.",
                    have is not null ? nameof(cohortAvailable) : eligibleCohortNodes is not null ? nameof(eligibleCohortNodes) : nameof(cohortGraph));
        }
        foreach (var relation in cohortGraph.Relations)
            if (relation.Name != "fused" && RelationModality(relation.Name, modalities) is null)
                throw new ArgumentException($"The cohort graph has relation '{relation.Name}'; only 'fused' and 'modality<m>' can be extended to new samples.", nameof(cohortGraph));
        using var scope = NewDisposeScope();
        // The numbers as Scalars alive for each call and freed right after (docs/native-runtime.md); doubles, as the
        // implicit conversions had them.
        using var one = 1.0.ToScalar();

        // Per-modality kernel rows of the available samples (zero rows for the others), and their normalised average,
        // over the eligible cohort nodes (columns in eligible order; mapped back to cohort ids in Edges).
        var eligibleIndex = eligibleCohortNodes is null ? null : tensor(eligibleCohortNodes.Select(e => (long)e).ToArray(), device: device);
        var kernels = new Tensor[modalities];
        var masks = new Tensor[modalities];
        var sum = zeros(sampleCount, eligibleCount, dtype: ScalarType.Float64, device: device);
        var count = zeros(sampleCount, cohortAvailable is null ? 1 : eligibleCount, dtype: ScalarType.Float64, device: device);
        var eligible = eligibleCohortNodes?.ToArray() ?? Enumerable.Range(0, (int)cohortSize).ToArray();
        for (int m = 0; m < modalities; m++)
        {
            var rows = Enumerable.Range(0, sampleCount).Where(i => available[m][i]).Select(i => (long)i).ToArray();
            kernels[m] = zeros(sampleCount, eligibleCount, dtype: ScalarType.Float64, device: device);
            masks[m] = tensor(available[m], device: device);
            if (rows.Length == 0) continue;
            var index = tensor(rows, device: device);
            if (cohortAvailable?[m] is { } have)
            {
                // Columns (positions among the eligible nodes) of the eligible cohort nodes that have the modality.
                var columns = Enumerable.Range(0, eligible.Length).Where(e => have[eligible[e]]).Select(e => (long)e).ToArray();
                if (columns.Length == 0) continue;
                var columnIndex = tensor(columns, device: device);
                var pool = cohortFeatures[m].index_select(0, tensor(columns.Select(e => (long)eligible[e]).ToArray(), device: device));
                var w = InductiveAffinity.Compute(pool, sampleFeatures[m].index_select(0, index), affinity, rows).to(device);
                var block = zeros(rows.Length, eligibleCount, dtype: ScalarType.Float64, device: device).index_copy_(1, columnIndex, w);
                kernels[m].index_copy_(0, index, block);
                sum.index_add_(0, index, block / w.sum(1, keepdim: true), one);
                var present = zeros(rows.Length, eligibleCount, dtype: ScalarType.Float64, device: device).index_fill_(1, columnIndex, one);
                count.index_add_(0, index, present, one);
            }
            else
            {
                var pool = eligibleIndex is null ? cohortFeatures[m] : cohortFeatures[m].index_select(0, eligibleIndex);
                var w = InductiveAffinity.Compute(pool, sampleFeatures[m].index_select(0, index), affinity, rows).to(device);
                kernels[m].index_copy_(0, index, w);
                sum.index_add_(0, index, w / w.sum(1, keepdim: true), one);
                count.index_add_(0, index, ones(rows.Length, count.shape[1], dtype: ScalarType.Float64, device: device), one);
            }
        }
        // Pairs sharing no modality get 0 (never chosen over a pair that shares one, whose kernel is positive).
        var fused = sum / count.clamp_min(one);

        var relations = new List<GraphRelation>();
        foreach (var relation in cohortGraph.Relations)
        {
            Tensor similarity;
            Tensor? mask = null;
            if (relation.Name == "fused") similarity = fused;
            else
            {
                int m = RelationModality(relation.Name, modalities)!.Value; // checked above
                similarity = kernels[m];
                mask = masks[m];
            }
            var (index, weight) = Edges(similarity, mask, neighbours, cohortSize, relation.EdgeWeight?.dtype ?? ScalarType.Float64, eligibleIndex);
            var edgeIndex = cat([relation.EdgeIndex, index], 1);
            Tensor? edgeWeight = relation.EdgeWeight is null ? null : cat([relation.EdgeWeight, weight], 0);
            relations.Add(new GraphRelation(relation.Name, edgeIndex.MoveToOuterDisposeScope(), edgeWeight?.MoveToOuterDisposeScope()));
        }
        return new RelationalGraph(cohortSize + sampleCount, relations);
    }

    /// <summary>The modality m of a relation named <c>modality{m}</c> with m below <paramref name="modalities"/>, else null.</summary>
    private static int? RelationModality(string name, int modalities) =>
        name.StartsWith("modality", StringComparison.Ordinal)
        && int.TryParse(name.AsSpan("modality".Length), NumberStyles.None, CultureInfo.InvariantCulture, out int m) && m < modalities
            ? m : null;

    /// <summary>Edges top-k cohort node -&gt; new node (n_c + i) for the new samples selected by <paramref name="mask"/>.</summary>
    private static (Tensor Index, Tensor Weight) Edges(Tensor similarity, Tensor? mask, int k, long cohortSize, ScalarType weightType, Tensor? eligibleIndex)
    {
        var (values, sources) = similarity.topk(k, dim: 1);
        if (eligibleIndex is not null) sources = eligibleIndex.index_select(0, sources.reshape(-1)).reshape(sources.shape);
        long n = similarity.shape[0];
        using var start = cohortSize.ToScalar();
        using var stop = (cohortSize + n).ToScalar();
        using var step = 1.ToScalar();   // the Int32 step TorchSharp's two-bound arange would convert itself
        var targets = arange(start, stop, step, dtype: ScalarType.Int64, device: similarity.device).unsqueeze(1).expand(n, k);
        if (mask is not null)
        {
            var rows = mask.nonzero().squeeze(1);
            values = values.index_select(0, rows);
            sources = sources.index_select(0, rows);
            targets = targets.index_select(0, rows);
        }
        var index = stack([sources.reshape(-1), targets.reshape(-1)]);
        return (index, values.reshape(-1).to(weightType));
    }
}
