using BalancedMultimodal.Core.Information;
using BalancedMultimodal.Distillation.Assessment;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Assessment;

/// <summary>I(student; labels) treats the labels as categories: by default it is the continuous-discrete estimate, so
/// renaming the classes does not change it, whatever the main estimator.</summary>
public class ModalityAssessorLabelEstimatorTests
{
    /// <summary>Three classes; two strong modalities, a weak one and noise, as class probabilities scaled by 6 (a
    /// stand-in for wide outputs such as PCA scores).</summary>
    private static (ModalityEvidence[] Evidence, int[] Labels) ThreeClasses(int n, int seed)
    {
        var random = new Random(seed);
        var labels = Enumerable.Range(0, n).Select(_ => random.Next(3)).ToArray();
        double[,] Outputs(double signal)
        {
            var outputs = new double[n, 3];
            for (int i = 0; i < n; i++)
            {
                var logits = Enumerable.Range(0, 3).Select(c => (c == labels[i] ? signal : 0) + random.NextDouble() * 2).ToArray();
                double total = logits.Sum(Math.Exp);
                for (int c = 0; c < 3; c++) outputs[i, c] = 6 * Math.Exp(logits[c]) / total;
            }
            return outputs;
        }
        return ([new ModalityEvidence("a", 0.90, Outputs(3)), new ModalityEvidence("b", 0.88, Outputs(2.9)),
                 new ModalityEvidence("c", 0.60, Outputs(1)), new ModalityEvidence("d", 0.40, Outputs(0))], labels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Renaming_the_classes_leaves_the_label_information_unchanged_with_a_gaussian_main_estimator(int seed)
    {
        var (evidence, labels) = ThreeClasses(150, seed);
        var renamed = labels.Select(l => new[] { 2, 0, 1 }[l]).ToArray();
        var assessor = new ModalityAssessor(new GaussianMutualInformationEstimator(), new ModalityAssessmentOptions { Permutations = 0 });

        var plan = assessor.Assess(evidence, labels);
        var renamedPlan = assessor.Assess(evidence, renamed);

        var weak = Enumerable.Range(0, evidence.Length).Where(m => plan.Modalities[m].MutualInformationWithLabels is not null).ToArray();
        weak.Should().NotBeEmpty("the weak modalities' information with the labels is estimated");
        foreach (int m in weak)
            renamedPlan.Modalities[m].MutualInformationWithLabels!.Value.Should().BeApproximately(plan.Modalities[m].MutualInformationWithLabels!.Value, 1e-12);
    }

    [Fact]
    public void By_default_the_label_information_is_the_continuous_discrete_estimate()
    {
        var (evidence, labels) = ThreeClasses(150, 3);
        var assessor = new ModalityAssessor(new KsgEstimator(), new ModalityAssessmentOptions { Permutations = 0 });

        var plan = assessor.Assess(evidence, labels);

        var expected = new ContinuousDiscreteEstimator();
        var weak = Enumerable.Range(0, evidence.Length).Where(m => plan.Modalities[m].MutualInformationWithLabels is not null).ToArray();
        weak.Should().NotBeEmpty();
        foreach (int m in weak)
            plan.Modalities[m].MutualInformationWithLabels.Should().Be(expected.Estimate(evidence[m].Outputs, labels));
    }

    [Fact]
    public void Labels_with_every_class_once_are_refused_before_any_estimate()
    {
        // The continuous-discrete estimator drops classes seen once; with every class once nothing is left.
        var (evidence, _) = ThreeClasses(4, 5);
        var assessor = new ModalityAssessor(new KsgEstimator(new KsgEstimatorOptions { K = 2 }), new ModalityAssessmentOptions { Permutations = 0 });

        var act = () => assessor.Assess(evidence, [0, 1, 2, 3]);

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("Every class occurs once among the 4 assessment rows*");
    }

    [Fact]
    public void Labels_with_every_class_once_are_accepted_when_no_modality_is_weak()
    {
        // Every modality strong: I(student; labels) is never estimated, so nothing needs a repeated class.
        var (evidence, _) = ThreeClasses(4, 5);
        var equal = evidence.Select(e => new ModalityEvidence(e.Name, 0.9, e.Outputs)).ToArray();
        var assessor = new ModalityAssessor(new KsgEstimator(new KsgEstimatorOptions { K = 2 }), new ModalityAssessmentOptions { Permutations = 0, RequireComplementarity = true });

        var plan = assessor.Assess(equal, [0, 1, 2, 3]);

        plan.Modalities.Should().OnlyContain(m => m.IsStrong);
    }
}

