using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Distillation.Training;
using BalancedMultimodal.Graph.Fusion;
using BalancedMultimodal.Graph.Layers;

namespace BalancedMultimodal.Cli.Pipeline;

/// <summary>
/// Every setting of the end-to-end pipeline run by <c>bmm train</c>; bindable from a JSON file (<c>--config</c>).
/// Defaults were chosen on validation data only (docs/results.md says how).
/// </summary>
public sealed class PipelineOptions
{
    /// <summary>Seed of every stage (split, autoencoder, training). Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Fraction of each class's training rows carved out for validation (when the data has no validation split). Default 0.2.</summary>
    public double ValidationFraction { get; set; } = 0.2;

    /// <summary>
    /// Cross-fitting: the labelled training rows are split into this many stratified folds; one model is trained per
    /// fold (validating on it) and the test probabilities are averaged. 1 means a single model validated on a carved
    /// split of <see cref="ValidationFraction"/>. Default 5.
    /// </summary>
    public int CrossFitFolds { get; set; } = 5;

    /// <summary>What the cross-fitting folds (and the carved validation split of <see cref="CrossFitFolds"/> = 1) are
    /// stratified by: class and which modalities a sample has (default; on complete data the same folds as by class
    /// alone), or <see cref="Pipeline.FoldStratification.Class"/> only (the folds of runs before the twenty-fifth session
    /// on incomplete data).</summary>
    public FoldStratification FoldStratification { get; set; } = FoldStratification.ClassAndAvailability;

    /// <summary>How every modality's features are scaled before anything else (fitted on the labelled training rows):
    /// <see cref="FeatureScaling.Standardize"/> (default) or <see cref="FeatureScaling.QuantileNormal"/>.</summary>
    public FeatureScaling Scaling { get; set; } = FeatureScaling.Standardize;

    /// <summary>Compress each modality with an autoencoder before building the graph and training. Default false (see docs/results.md).</summary>
    public bool UseAutoencoder { get; set; }

    /// <summary>Autoencoder settings (used when <see cref="UseAutoencoder"/> is true).</summary>
    public AutoencoderOptions Autoencoder { get; set; } = new();

    /// <summary>Per-modality affinity kernel (snfpy's make_affinity: K = 20, mu = 0.5, squared Euclidean, z-scored).</summary>
    public AffinityOptions Affinity { get; set; } = new();

    /// <summary>Similarity network fusion (snfpy's snf: K = 20, t = 20).</summary>
    public SimilarityNetworkFusionOptions Fusion { get; set; } = new();

    /// <summary>Neighbours kept per node in the fused patient graph (symmetrised union). Default 10.</summary>
    public int GraphNeighbours { get; set; } = 10;

    /// <summary>Add each modality's own top-k affinity graph as an extra relation. Default false.</summary>
    public bool ModalityGraphRelations { get; set; }

    /// <summary>How the patient graph treats samples lacking modalities (no effect on complete data, and none on the
    /// predictions of the graph-free <see cref="ModalityEncoderKind.Mlp"/> encoder). Default
    /// <see cref="Pipeline.IncompleteSampleGraph.FuseAvailableModalities"/>, chosen on out-of-fold validation macro-F1
    /// (docs/results.md, twenty-third session); <see cref="Pipeline.IncompleteSampleGraph.AttachToCompleteSamples"/> is
    /// the twenty-second session's rule.</summary>
    public IncompleteSampleGraph IncompleteSampleGraph { get; set; } = IncompleteSampleGraph.FuseAvailableModalities;

    /// <summary>When the SNF patient graph is built: by default only when an encoder reads it (the relational-GCN kinds),
    /// since the default MLP encoder's predictions do not depend on it and its O(n^2) matrices limit the cohort size;
    /// <see cref="PatientGraphConstruction.Always"/> builds it for its connectivity diagnostics.</summary>
    public PatientGraphConstruction PatientGraph { get; set; } = PatientGraphConstruction.WhenAnEncoderReadsIt;

    /// <summary>Which encoder every modality gets: a graph-free MLP (default, chosen on out-of-fold validation F1 and AUC,
    /// docs/results.md), the relational GCN over the patient graph, or both side by side.</summary>
    public ModalityEncoderKind EncoderKind { get; set; } = ModalityEncoderKind.Mlp;

    /// <summary>The MLP encoder of every modality when <see cref="EncoderKind"/> is <see cref="ModalityEncoderKind.Mlp"/>.
    /// Default: one hidden layer of 32 units, dropout 0.2 (before every layer, the input included).</summary>
    public MlpEncoderSettings MlpEncoder { get; set; } = new();

    /// <summary>
    /// Repeated cross-fitting: the <see cref="CrossFitFolds"/>-fold split is drawn this many times with different
    /// seeds (repeat 0 uses <see cref="Seed"/>, as a single run does), one model per fold and repeat; test probabilities
    /// are averaged over all models, and each labelled row's out-of-fold probabilities over the models of every repeat
    /// that held it out. With <see cref="CrossFitFolds"/> = 1 each repeat carves its own validation split; a validation
    /// split brought by the data is used once (it cannot be redrawn). At least 1. Default 2 (2 x 5 = 10 fold models: the larger
    /// ensemble raised the out-of-fold AUC by about 0.01, docs/results.md).
    /// </summary>
    public int CrossFitRepeats { get; set; } = 2;

    /// <summary>The relational-GCN encoder of every modality (InputSize, RelationCount and ClassCount are set by the pipeline).
    /// Default: one relational graph convolution to 32 units, dropout 0.5 (chosen on out-of-fold validation F1, docs/results.md).</summary>
    public RelationalGcnOptions Encoder { get; set; } = new() { HiddenSizes = [32], Dropout = 0.5 };

    /// <summary>The two-phase balanced schedule. The pipeline's default differs from the library's in these settings:
    /// <see cref="BalancedTrainingOptions.Prediction"/> = <see cref="PredictionSource.AllHeadsValidationWeighted"/> (the
    /// fused head and the modality heads pooled log-linearly, softmax(sum_h w_h z_h), with w_h each head's validation
    /// information gain over the uniform guess, so a near-chance head gets little say; chosen over the equal-weight
    /// <see cref="PredictionSource.AllHeadsGeometricMean"/> on nested validation of ROSMAP and out-of-fold validation of
    /// a BRCA-shaped set),
    /// <see cref="BalancedTrainingOptions.PoolingWeightShrinkage"/> = 0.5 (those weights pulled half-way towards equal
    /// ones: w_h = 1 / (2H) + g_h / (2 sum_k g_k); better on ROSMAP's nested validation, most of the protection kept on
    /// the BRCA-shaped set), under which each fold's checkpoint is chosen,
    /// <see cref="BalancedTrainingOptions.FinalPoolingRule"/> = <see cref="HeadPoolingRule.ValidationEvidence"/> (the
    /// checkpoint's final prediction re-pooled with w_h proportional to exp(-max(0, d_h / s_h)), d_h the head's validation
    /// cross-entropy deficit to the best head and s_h its standard error, so a head several standard errors behind gets
    /// almost no say; eighteenth session, chosen on nested validation of ROSMAP and of two real multi-view sets) and
    /// <see cref="BalancedTrainingOptions.WeightDecay"/> = 1e-2 instead of 1e-3 (equal on ROSMAP's 200 pre-selected
    /// features per modality, much better on validation with 1000 raw features per modality; docs/results.md) and
    /// <see cref="BalancedTrainingOptions.InputWeightDecayWidthExponent"/> = 0.5 (each modality's first-layer weights
    /// decayed by 1e-2 sqrt(max(1, d_m / 200)): unchanged at ROSMAP's 200 features, higher out-of-fold macro-F1 on three
    /// wider synthetic sets; fourteenth session, docs/results.md).</summary>
    public BalancedTrainingOptions Training { get; set; } = new()
    {
        Prediction = PredictionSource.AllHeadsValidationWeighted, PoolingWeightShrinkage = 0.5,
        FinalPoolingRule = HeadPoolingRule.ValidationEvidence, WeightDecay = 1e-2, InputWeightDecayWidthExponent = 0.5,
    };

    /// <summary>
    /// ρ: when <see cref="BalancedTrainingOptions.ClassWeighting"/> is <see cref="ClassWeighting.None"/> and the labelled
    /// rows' largest class has at least ρ times as many rows as the smallest (n_max / n_min &gt;= ρ), the run trains with
    /// <see cref="ClassWeighting.InverseFrequency"/> (every cross-entropy weighted by w_c = N / (C n_c) on each fold's
    /// training rows) instead; null never does. At least 1 (1 weights every run). Default null (twenty-first session,
    /// docs/results.md: with 1.5 the weights raised nested macro-F1 by 3.5 points on a three-class TCGA cohort with 1.77,
    /// left breast cancer, 1.69, level, but cost wine, 1.52, half a point, so the rule written before the runs kept the
    /// default off; measured after, a second task of the same TCGA cohort, 1.69, lost 2.6 points).
    /// </summary>
    public double? ClassWeightingImbalanceRatio { get; set; }

    /// <summary>
    /// libtorch intra-op threads for the run (torch.set_num_threads). Default 1: on cohorts of a few hundred to a few
    /// thousand samples the tensors are small and extra threads only add synchronisation (measured in
    /// docs/benchmarks.md); 0 keeps libtorch's default (one per core), better for large cohorts or GPUs.
    /// </summary>
    public int Threads { get; set; } = 1;

    /// <summary>Compute dtype: <c>float32</c> (default) or <c>float64</c>.</summary>
    public string DType { get; set; } = "float32";
}
