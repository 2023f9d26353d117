using BalancedMultimodal.Core.Metrics;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Metrics;

public class RocAucTests
{
    [Fact]
    public void Auc_matches_the_scikit_learn_documentation_example()
    {
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        RocAuc.Binary(new[] { 0, 0, 1, 1 }, new[] { 0.1, 0.4, 0.35, 0.8 }).Should().Be(0.75);
    }

    [Fact]
    public void Tied_scores_across_classes_count_one_half()
    {
        // Positives 0.2, 0.5, 0.9; negatives 0.2, 0.5, 0.1. Pairs won: 1.5 + 2.5 + 3 = 7 of 9.
        var auc = RocAuc.Binary(new[] { 0, 1, 0, 1, 1, 0 }, new[] { 0.2, 0.2, 0.5, 0.5, 0.9, 0.1 });

        auc.Should().BeApproximately(7.0 / 9.0, 1e-15);
    }

    [Fact]
    public void Constant_scores_give_one_half()
    {
        RocAuc.Binary(new[] { 0, 1, 1, 0, 1 }, new[] { 3.0, 3.0, 3.0, 3.0, 3.0 }).Should().Be(0.5);
    }

    [Fact]
    public void Perfectly_ranked_and_reversed_scores_give_one_and_zero()
    {
        RocAuc.Binary(new[] { 0, 0, 1, 1 }, new[] { -2.0, -1.0, 1.0, 2.0 }).Should().Be(1.0);
        RocAuc.Binary(new[] { 1, 1, 0, 0 }, new[] { -2.0, -1.0, 1.0, 2.0 }).Should().Be(0.0);
    }

    [Fact]
    public void Auc_equals_the_pairwise_win_rate_on_heavily_tied_random_scores()
    {
        var random = new Random(4);
        var labels = Enumerable.Range(0, 200).Select(_ => random.Next(2)).ToArray();
        var scores = labels.Select(y => Math.Round(random.NextDouble() + 0.3 * y, 1)).ToArray();
        double wins = 0, pairs = 0;
        for (int i = 0; i < labels.Length; i++)
            for (int j = 0; j < labels.Length; j++)
                if (labels[i] == 1 && labels[j] == 0)
                {
                    pairs++;
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }

        RocAuc.Binary(labels, scores).Should().BeApproximately(wins / pairs, 1e-12);
    }

    [Fact]
    public void A_single_class_is_rejected()
    {
        var act = () => RocAuc.Binary(new[] { 1, 1, 1 }, new[] { 0.1, 0.2, 0.3 });

        act.Should().Throw<ArgumentException>().WithMessage("*only one class*");
    }

    [Fact]
    public void TryBinary_reports_an_undefined_auc_for_a_single_class_and_agrees_with_Binary_otherwise()
    {
        RocAuc.TryBinary(new[] { 1, 1, 1 }, new[] { 0.1, 0.2, 0.3 }, out double undefined).Should().BeFalse();
        double.IsNaN(undefined).Should().BeTrue();
        RocAuc.TryBinary(new[] { 0 }, new[] { 0.4 }, out _).Should().BeFalse("one sample is one class");

        int[] labels = [0, 0, 1, 1];
        double[] scores = [0.1, 0.4, 0.35, 0.8];
        RocAuc.TryBinary(labels, scores, out double auc).Should().BeTrue();
        auc.Should().Be(0.75).And.Be(RocAuc.Binary(labels, scores));
    }

    [Fact]
    public void TryBinary_still_rejects_malformed_input()
    {
        var badLabel = () => RocAuc.TryBinary(new[] { 0, 2 }, new[] { 0.1, 0.2 }, out _);
        var badScore = () => RocAuc.TryBinary(new[] { 0, 1 }, new[] { 0.1, double.NaN }, out _);

        badLabel.Should().Throw<ArgumentException>().WithMessage("Label at position 1 is 2*");
        badScore.Should().Throw<ArgumentException>().WithMessage("*finite*");
    }

    [Fact]
    public void A_label_other_than_0_or_1_is_rejected_naming_its_position()
    {
        var act = () => RocAuc.Binary(new[] { 0, 2, 1 }, new[] { 0.1, 0.2, 0.3 });

        act.Should().Throw<ArgumentException>().WithMessage("Label at position 1 is 2*");
    }

    [Fact]
    public void A_non_finite_score_is_rejected()
    {
        var act = () => RocAuc.Binary(new[] { 0, 1 }, new[] { 0.1, double.NaN });

        act.Should().Throw<ArgumentException>().WithMessage("Score at position 1*finite*");
    }

    [Fact]
    public void A_non_finite_score_in_the_class_matrix_is_rejected_naming_its_row_and_class()
    {
        var scores = new double[,] { { 0.8, 0.1, 0.1 }, { 0.3, 0.4, 0.3 }, { 0.2, 0.5, double.NaN }, { 0.5, 0.3, 0.2 } };

        var act = () => RocAuc.OneVsRestMacro(new[] { 0, 1, 2, 0 }, scores);

        act.Should().Throw<ArgumentException>().WithParameterName("scores").WithMessage("Score at row 2, class 2 is NaN*");
    }

    [Fact]
    public void One_vs_rest_macro_auc_averages_the_per_class_binary_aucs()
    {
        var labels = new[] { 0, 1, 2, 0, 1, 2 };
        var scores = new double[,]
        {
            { 0.8, 0.1, 0.1 }, { 0.3, 0.4, 0.3 }, { 0.2, 0.5, 0.3 },
            { 0.5, 0.3, 0.2 }, { 0.1, 0.8, 0.1 }, { 0.1, 0.2, 0.7 },
        };
        // class 0: positives 0.8, 0.5 above all negatives -> 1; class 1: positives 0.4, 0.8 vs negatives 0.1, 0.5, 0.3, 0.2 -> 7/8;
        // class 2: positives 0.3, 0.7 vs negatives 0.1, 0.3, 0.2, 0.1 -> (3.5 + 4) / 8.
        RocAuc.OneVsRestMacro(labels, scores).Should().BeApproximately((1 + 7.0 / 8 + 7.5 / 8) / 3, 1e-15);
    }

    [Theory]
    [InlineData(new[] { 1, 1, 1 }, "*(3 positive, 0 negative samples)*")]
    [InlineData(new[] { 0, 0 }, "*(0 positive, 2 negative samples)*")]
    public void The_single_class_message_counts_the_positive_and_negative_samples(int[] labels, string message)
    {
        var act = () => RocAuc.Binary(labels, labels.Select(l => 0.5).ToArray());

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage(message);
    }

    [Fact]
    public void Null_or_mismatched_binary_inputs_are_rejected_naming_the_argument()
    {
        FluentActions.Invoking(() => RocAuc.Binary(null!, new[] { 0.1 })).Should().Throw<ArgumentNullException>().WithParameterName("labels");
        FluentActions.Invoking(() => RocAuc.Binary(new[] { 0 }, null!)).Should().Throw<ArgumentNullException>().WithParameterName("scores");
        FluentActions.Invoking(() => RocAuc.Binary(new[] { 0, 1 }, new[] { 0.1, 0.2, 0.3 }))
            .Should().Throw<ArgumentException>().WithParameterName("scores").WithMessage("There are 2 labels but 3 scores*");
    }

    [Fact]
    public void One_vs_rest_with_two_classes_averages_both_columns_aucs()
    {
        // class 0: positives 0.9, 0.3 vs negatives 0.4, 0.2 -> 3/4; class 1: positives 0.6, 0.8 vs negatives 0.1, 0.5 -> 1.
        var scores = new double[,] { { 0.9, 0.1 }, { 0.4, 0.6 }, { 0.3, 0.5 }, { 0.2, 0.8 } };

        RocAuc.OneVsRestMacro(new[] { 0, 1, 0, 1 }, scores).Should().Be(0.875);
    }

    [Fact]
    public void One_vs_rest_rejects_null_inputs_naming_them()
    {
        FluentActions.Invoking(() => RocAuc.OneVsRestMacro(null!, new double[2, 2])).Should().Throw<ArgumentNullException>().WithParameterName("labels");
        FluentActions.Invoking(() => RocAuc.OneVsRestMacro(new[] { 0, 1 }, null!)).Should().Throw<ArgumentNullException>().WithParameterName("scores");
    }

    [Fact]
    public void One_vs_rest_rejects_a_row_count_that_differs_from_the_label_count()
    {
        var act = () => RocAuc.OneVsRestMacro(new[] { 0, 1 }, new double[3, 2]);

        act.Should().Throw<ArgumentException>().WithParameterName("scores").WithMessage("There are 2 labels but 3 score rows*");
    }

    [Fact]
    public void One_vs_rest_rejects_a_single_score_column()
    {
        var act = () => RocAuc.OneVsRestMacro(new[] { 0, 0 }, new double[2, 1]);

        act.Should().Throw<ArgumentException>().WithParameterName("scores").WithMessage("The score matrix has 1 column(s)*");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void One_vs_rest_rejects_a_label_outside_the_columns_naming_its_position(int label)
    {
        var act = () => RocAuc.OneVsRestMacro(new[] { 0, 1, 2, label }, new double[4, 3]);

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage($"Label at position 3 is {label}; labels must lie in [0, 3)*");
    }

    [Fact]
    public void One_vs_rest_rejects_a_class_that_never_occurs_naming_it()
    {
        var act = () => RocAuc.OneVsRestMacro(new[] { 1, 2, 1, 2 }, new double[4, 3]);

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("Class 0 never occurs in the labels*");
    }

    [Fact]
    public void One_vs_rest_macro_auc_matches_scikit_learn_with_tied_scores()
    {
        // Probabilities = small integer counts over their row sums, so many scores tie within a column.
        // sklearn 1.2.1: roc_auc_score(y, p, multi_class='ovr', average='macro') = 0.49479166666666663
        // (per class 0.6667, 0.53125, 0.4583, 0.3229).
        var labels = new[] { 3, 2, 2, 0, 1, 2, 0, 3, 0, 1, 3, 2, 0, 1, 1, 3 };
        var counts = new double[,]
        {
            { 2, 1, 3, 1 }, { 5, 2, 2, 2 }, { 3, 2, 2, 4 }, { 5, 3, 3, 3 }, { 2, 4, 2, 1 }, { 5, 0, 4, 3 }, { 1, 0, 2, 0 }, { 1, 2, 4, 2 },
            { 5, 4, 4, 3 }, { 3, 2, 1, 2 }, { 2, 1, 4, 0 }, { 1, 0, 4, 3 }, { 5, 1, 3, 1 }, { 3, 0, 3, 4 }, { 4, 0, 2, 1 }, { 5, 4, 0, 2 },
        };
        var probabilities = new double[16, 4];
        for (int i = 0; i < 16; i++)
        {
            double rowSum = counts[i, 0] + counts[i, 1] + counts[i, 2] + counts[i, 3];
            for (int c = 0; c < 4; c++) probabilities[i, c] = counts[i, c] / rowSum;
        }

        RocAuc.TryOneVsRestMacro(labels, probabilities, out double auc).Should().BeTrue();
        auc.Should().BeApproximately(0.49479166666666663, 1e-15);
        RocAuc.OneVsRestMacro(labels, probabilities).Should().Be(auc);
    }

    [Fact]
    public void Try_one_vs_rest_returns_false_and_nan_when_a_class_never_occurs_but_still_rejects_bad_input()
    {
        var scores = new double[,] { { 0.2, 0.5, 0.3 }, { 0.1, 0.3, 0.6 }, { 0.3, 0.3, 0.4 }, { 0.5, 0.2, 0.3 } };

        RocAuc.TryOneVsRestMacro(new[] { 1, 2, 1, 2 }, scores, out double auc).Should().BeFalse();
        auc.Should().Be(double.NaN);
        FluentActions.Invoking(() => RocAuc.TryOneVsRestMacro(new[] { 1, 2, 3, 2 }, scores, out _))
            .Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("Label at position 2 is 3*");
        FluentActions.Invoking(() => RocAuc.TryOneVsRestMacro(new[] { 1, 2 }, scores, out _))
            .Should().Throw<ArgumentException>().WithParameterName("scores").WithMessage("There are 2 labels but 4 score rows*");
        FluentActions.Invoking(() => RocAuc.TryOneVsRestMacro(null!, scores, out _)).Should().Throw<ArgumentNullException>().WithParameterName("labels");
    }

    [Fact]
    public void For_classes_is_the_binary_auc_of_column_one_for_two_classes_and_the_one_vs_rest_macro_auc_for_more()
    {
        var two = new double[,] { { 0.9, 0.1 }, { 0.6, 0.4 }, { 0.65, 0.35 }, { 0.2, 0.8 } };
        RocAuc.TryForClasses(new[] { 0, 0, 1, 1 }, two, out double binary).Should().BeTrue();
        binary.Should().Be(RocAuc.Binary(new[] { 0, 0, 1, 1 }, new[] { 0.1, 0.4, 0.35, 0.8 })).And.Be(0.75);

        var labels = new[] { 0, 1, 2, 0, 1, 2 };
        var three = new double[,] { { 0.8, 0.1, 0.1 }, { 0.3, 0.4, 0.3 }, { 0.2, 0.5, 0.3 }, { 0.5, 0.3, 0.2 }, { 0.1, 0.8, 0.1 }, { 0.1, 0.2, 0.7 } };
        RocAuc.TryForClasses(labels, three, out double macro).Should().BeTrue();
        macro.Should().Be(RocAuc.OneVsRestMacro(labels, three));

        RocAuc.TryForClasses(new[] { 1, 1, 1, 1 }, two, out double undefined).Should().BeFalse();
        undefined.Should().Be(double.NaN);
        FluentActions.Invoking(() => RocAuc.TryForClasses(new[] { 0, 1 }, two, out _))
            .Should().Throw<ArgumentException>().WithParameterName("scores").WithMessage("There are 2 labels but 4 score rows*");
        var nanInColumnZero = new double[,] { { 0.9, 0.1 }, { double.NaN, 0.4 }, { 0.65, 0.35 }, { 0.2, 0.8 } };
        FluentActions.Invoking(() => RocAuc.TryForClasses(new[] { 0, 0, 1, 1 }, nanInColumnZero, out _))
            .Should().Throw<ArgumentException>().WithParameterName("scores").WithMessage("Score at row 1, class 0 is NaN*");
    }
}

