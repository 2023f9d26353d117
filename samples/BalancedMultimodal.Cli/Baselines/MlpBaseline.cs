using BalancedMultimodal.Core.Encoding;
using BalancedMultimodal.Core.Metrics;
using BalancedMultimodal.Core.Optimization;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace BalancedMultimodal.Cli.Baselines;

/// <summary>
/// A plain MLP baseline (hidden 64, LeakyReLU 0.25, dropout 0.5, Adam with weight decay), early-stopped on validation
/// macro-F1 like the balanced schedule. Given all modalities' standardised features concatenated it is the early
/// fusion baseline; given one modality's features, that modality alone.
/// </summary>
public static class MlpBaseline
{
    /// <summary>Trains on <paramref name="trainRows"/>, selects the checkpoint on <paramref name="validationRows"/>, returns probabilities (n, C).</summary>
    /// <returns>Float64 probabilities (n, C) on the features' device, outside every dispose scope: the caller disposes them.</returns>
    public static Tensor FitPredict(Tensor features, Tensor labels, int classCount, IReadOnlyList<int> trainRows, IReadOnlyList<int> validationRows,
        int seed, int epochs = 300, double learningRate = 1e-3, double weightDecay = 1e-3)
    {
        // The index tensors, the labels on the device and the model's temporaries are freed when the fit returns.
        using var fitScope = NewDisposeScope();
        manual_seed(seed);
        var encoder = new MlpEncoder(features.shape[1], new MlpEncoderOptions { HiddenSizes = [64], Dropout = 0.5 }, features.device, features.dtype);
        var head = nn.Linear(encoder.EmbeddingDim, classCount, device: features.device, dtype: features.dtype);
        using var optimizer = new ExplicitScalarAdam(encoder.parameters().Concat(head.parameters()), learningRate, weightDecay: weightDecay);
        var train = tensor(trainRows.Select(r => (long)r).ToArray(), device: features.device);
        var validation = tensor(validationRows.Select(r => (long)r).ToArray(), device: features.device);
        var trainLabels = labels.to(features.device).index_select(0, train);
        var hostLabels = labels.to_type(ScalarType.Int64).cpu().contiguous().data<long>().ToArray();   // one copy, not one per row
        var validationLabels = validationRows.Select(r => (int)hostLabels[r]).ToArray();
        double best = double.NegativeInfinity;
        Tensor? bestProbabilities = null;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            using var scope = NewDisposeScope();
            encoder.train();
            optimizer.ZeroGrad();
            var loss = F.cross_entropy(head.forward(InvertedDropout.Apply(encoder.forward(features), 0.5, true)).index_select(0, train), trainLabels);
            loss.backward();
            optimizer.Step();
            if (epoch % 5 != 0) continue;
            encoder.eval();
            using var noGrad = no_grad();
            var probabilities = F.softmax(head.forward(encoder.forward(features)), 1);
            var predictions = probabilities.index_select(0, validation).argmax(1).cpu().data<long>().Select(v => (int)v).ToArray();
            double score = ClassificationMetrics.MacroF1(validationLabels, predictions);
            if (score > best)
            {
                best = score;
                bestProbabilities?.Dispose();
                bestProbabilities = probabilities.to(ScalarType.Float64).detach().DetachFromDisposeScope();
            }
        }
        encoder.Dispose();
        head.Dispose();
        return bestProbabilities!;
    }
}
