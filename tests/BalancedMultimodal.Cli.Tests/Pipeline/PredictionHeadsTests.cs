using BalancedMultimodal.Cli.Pipeline;
using BalancedMultimodal.Core.Data;
using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;
using static TorchSharp.torch;

namespace BalancedMultimodal.Cli.Tests.Pipeline;

/// <summary><see cref="PredictionResult.Heads"/>: what each head of a trained pipeline said about new samples, and its say.</summary>
[Collection(TrainedPipelineCollection.Name)]
public class PredictionHeadsTests(TrainedPipelineFixture fixture)
{
    /// <summary>MLP encoders, heads pooled with validation-measured weights (the pipeline's default rule).</summary>
    private TrainedPipeline Train() => fixture.TrainMlp(PredictionSource.AllHeadsValidationWeighted);

    [Fact]
    public void Heads_are_the_fold_averages_of_each_heads_softmax_and_share_computed_by_hand()
    {
        using var model = Train();
        var modalities = fixture.NewModalities();

        var result = model.Predict(modalities);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var features = fixture.StandardizedByHand(model, modalities);
        int n = fixture.NewRows.Length;
        var probabilities = zeros(4, n, 2, dtype: ScalarType.Float64);
        var shares = zeros(4, dtype: ScalarType.Float64);
        foreach (var fold in model.Folds)
        {
            var outputs = fold.Network.Forward(features);
            var heads = new[] { outputs.FusedLogits }.Concat(outputs.ModalityLogits).Select(z => nn.functional.softmax(z.to(ScalarType.Float64), 1)).ToArray();
            probabilities.add_(stack(heads, 0));
            // Complete samples: each head's share is its (normalised) pooling weight.
            shares.add_(tensor(fold.PoolingWeights!.ToArray(), dtype: ScalarType.Float64).div(fold.PoolingWeights!.Sum()));
        }
        probabilities.div_(model.Folds.Count);
        shares.div_(model.Folds.Count);
        result.Heads.Select(h => h.Name).Should().Equal(HeadPrediction.FusedHeadName, "1", "2", "3");
        for (int h = 0; h < 4; h++)
            for (int i = 0; i < n; i++)
            {
                result.Heads[h].Shares[i].Should().BeApproximately(shares[h].item<double>(), 1e-6, $"head {h}, sample {i}");
                for (int c = 0; c < 2; c++)
                    result.Heads[h].Probabilities[i, c].Should().BeApproximately(probabilities[h, i, c].item<double>(), 1e-5, $"head {h}, sample {i}");
            }
        var distinct = result.Heads.Select(h => h.Shares[0]).Distinct().Count();
        distinct.Should().BeGreaterThan(1, "with validation-measured weights the heads' shares differ, or the shares could not be told from equal ones");
    }

    [Fact]
    public void A_sample_lacking_a_modality_gives_that_head_no_share_and_no_probabilities_and_the_others_share_everything()
    {
        using var model = Train();
        // Sample i lacks modality i % 4 (none when i % 4 == 3).
        var result = model.Predict(fixture.NewModalities((i, m) => i % 4 != m));

        result.Heads.Should().HaveCount(4);
        for (int i = 0; i < result.SampleCount; i++)
        {
            result.Heads.Sum(h => h.Shares[i]).Should().BeApproximately(1.0, 1e-9, $"sample {i}");
            for (int m = 0; m < 3; m++)
            {
                var head = result.Heads[m + 1];
                if (i % 4 == m)
                {
                    head.Shares[i].Should().Be(0, $"sample {i} lacks modality {m}");
                    Enumerable.Range(0, 2).Select(c => head.Probabilities[i, c]).Should().OnlyContain(p => double.IsNaN(p));
                }
                else
                {
                    head.Shares[i].Should().BeInRange(0, 1);
                    (head.Probabilities[i, 0] + head.Probabilities[i, 1]).Should().BeApproximately(1.0, 1e-9);
                }
            }
        }
        var complete = result.Heads.Select(h => h.Shares[3]).ToArray();
        var lackingFirst = result.Heads.Select(h => h.Shares[0]).ToArray();
        // The heads still voting share the missing head's say in proportion to their own, so each gains (exact per fold:
        // PredictionCombiner's tests; here the fold averages).
        complete[1].Should().BePositive("the first modality's head must have a say to lose, or this test could not fail");
        for (int h = 2; h < 4; h++) lackingFirst[h].Should().BeGreaterThanOrEqualTo(complete[h]);
        lackingFirst[0].Should().BeGreaterThan(complete[0]);
    }

    [Fact]
    public void The_heads_csv_has_a_line_per_sample_and_head_with_NA_where_the_sample_lacks_the_modality()
    {
        var result = fixture.Model.Predict(fixture.NewModalities((i, m) => !(i == 0 && m == 1)));

        var lines = result.ToHeadsCsv().TrimEnd('\n').Split('\n');

        lines[0].Should().Be("sample,head,share,p_0,p_1");
        lines.Should().HaveCount(1 + 4 * result.SampleCount);
        lines[1].Should().StartWith("0,fused,");
        lines[3].Should().Be("0,2,0,NA,NA");
        lines[5].Should().StartWith("1,fused,");
        var first = lines.Skip(1).Take(4).Select(l => double.Parse(l.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture)).Sum();
        first.Should().BeApproximately(1.0, 1e-9);
    }

    [Fact]
    public void Each_heads_test_score_is_that_of_its_fold_averaged_probabilities_on_the_test_rows_computed_by_hand()
    {
        var data = MogonetFolderLoader.Load(fixture.DataFolder);
        var run = new TrainingPipeline(TrainedPipelineFixture.MlpOptions(PredictionSource.AllHeadsValidationWeighted)) { KeepTrainedModel = true }.Run(data);
        using var model = run.Model!;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        // The kept fold networks on the cohort features (MLP: each row alone), each head's softmax averaged over folds.
        var sum = zeros(4, data.SampleCount, 2, dtype: ScalarType.Float64);
        foreach (var fold in model.Folds)
        {
            var outputs = fold.Network.Forward(model.CohortFeatures);
            sum.add_(stack(new[] { outputs.FusedLogits }.Concat(outputs.ModalityLogits).Select(z => nn.functional.softmax(z.to(ScalarType.Float64), 1)).ToArray(), 0));
        }
        sum.div_(model.Folds.Count);
        var test = data.TestIndices;
        var truth = test.Select(r => data.Labels[r]).ToArray();
        run.HeadTestScores.Select(h => h.Head).Should().Equal(HeadPrediction.FusedHeadName, "1", "2", "3");
        for (int h = 0; h < 4; h++)
        {
            var p = new double[test.Length, 2];
            for (int i = 0; i < test.Length; i++)
                for (int c = 0; c < 2; c++) p[i, c] = sum[h, test[i], c].item<double>();
            var predicted = BalancedMultimodal.Core.Metrics.ClassificationMetrics.ArgMax(p);
            var score = run.HeadTestScores[h];
            score.Rows.Should().Be(test.Length);
            score.Accuracy.Should().Be(BalancedMultimodal.Core.Metrics.ClassificationMetrics.Accuracy(truth, predicted), $"head {h}");
            score.MacroF1.Should().Be(BalancedMultimodal.Core.Metrics.ClassificationMetrics.MacroF1(truth, predicted), $"head {h}");
            score.Auc!.Value.Should().BeApproximately(BalancedMultimodal.Core.Metrics.RocAuc.Binary(truth, Enumerable.Range(0, test.Length).Select(i => p[i, 1]).ToArray()), 1e-9, $"head {h}");
        }
        run.HeadTestScores.Select(h => h.MacroF1).Distinct().Should().HaveCountGreaterThan(1, "the heads differ, or a score copied from one head could pass");
    }

    [Fact]
    public void A_result_without_heads_refuses_to_write_them()
    {
        var result = new PredictionResult(["a"], ["0", "1"], new double[,] { { 0.5, 0.5 } }, [0]);

        var act = () => result.ToHeadsCsv();

        act.Should().Throw<InvalidOperationException>().WithMessage("*carries no heads*");
    }
}
