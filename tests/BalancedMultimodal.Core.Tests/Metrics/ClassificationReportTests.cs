using BalancedMultimodal.Core.Metrics;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Core.Tests.Metrics;

public class ClassificationReportTests
{
    // Class 2 is never predicted. Confusion matrix (rows truth, columns prediction):
    //   [3 1 0]
    //   [1 2 0]
    //   [1 2 0]
    // class 0: TP 3, FP 2, FN 1 -> P 3/5, R 3/4, F1 6/9
    // class 1: TP 2, FP 3, FN 1 -> P 2/5, R 2/3, F1 4/8
    // class 2: TP 0, FP 0, FN 3 -> P 0 (zero_division = 0), R 0, F1 0
    private static readonly int[] Truth = { 0, 0, 0, 0, 1, 1, 1, 2, 2, 2 };
    private static readonly int[] Predicted = { 0, 0, 1, 0, 1, 0, 1, 1, 1, 0 };

    // Computed per test (not cached in a static field), so every test exercises the computation itself.
    private static ClassificationReport Report => ClassificationReport.Compute(Truth, Predicted);

    [Fact]
    public void The_confusion_matrix_counts_truth_by_row_and_prediction_by_column()
    {
        Report.ConfusionMatrix.ToArray().Should().BeEquivalentTo(new[,] { { 3, 1, 0 }, { 1, 2, 0 }, { 1, 2, 0 } });
    }

    [Fact]
    public void Accuracy_is_the_fraction_of_correct_predictions()
    {
        Report.Accuracy.Should().Be(0.5);
    }

    [Fact]
    public void Per_class_precision_recall_and_f1_match_hand_computed_values()
    {
        Report.Classes[0].Should().Be(new ClassMetrics(0, 3.0 / 5, 3.0 / 4, 6.0 / 9, 4));
        Report.Classes[1].Precision.Should().BeApproximately(2.0 / 5, 1e-15);
        Report.Classes[1].Recall.Should().BeApproximately(2.0 / 3, 1e-15);
        Report.Classes[1].F1.Should().BeApproximately(0.5, 1e-15);
        Report.Classes[1].Support.Should().Be(3);
    }

    [Fact]
    public void A_class_that_is_never_predicted_has_precision_recall_and_f1_zero()
    {
        Report.Classes[2].Should().Be(new ClassMetrics(2, 0, 0, 0, 3));
    }

    [Fact]
    public void Macro_f1_averages_every_occurring_class_including_the_never_predicted_one()
    {
        Report.MacroF1.Should().BeApproximately((6.0 / 9 + 0.5 + 0) / 3, 1e-15);
        ClassificationMetrics.MacroF1(Truth, Predicted).Should().BeApproximately(0.3888888888888889, 1e-15);
    }

    [Fact]
    public void Weighted_f1_weights_each_class_by_its_support()
    {
        Report.WeightedF1.Should().BeApproximately((4 * 6.0 / 9 + 3 * 0.5 + 3 * 0) / 10, 1e-15);
        ClassificationMetrics.WeightedF1(Truth, Predicted).Should().BeApproximately(0.41666666666666667, 1e-15);
    }

    [Fact]
    public void Macro_averages_skip_a_class_absent_from_labels_and_predictions_like_scikit_learn()
    {
        var report = ClassificationReport.Compute(new[] { 0, 0, 1, 1 }, new[] { 0, 1, 1, 1 }, classCount: 3);

        report.AveragedClasses.Should().Equal(0, 1);
        report.Classes.Should().HaveCount(3);
        report.MacroF1.Should().BeApproximately((2.0 / 3 + 0.8) / 2, 1e-15);
    }

    [Fact]
    public void A_predicted_class_that_never_occurs_counts_in_the_macro_average_with_recall_zero()
    {
        var report = ClassificationReport.Compute(new[] { 0, 0, 1, 1 }, new[] { 0, 2, 1, 1 });

        report.Classes[2].Should().Be(new ClassMetrics(2, 0, 0, 0, 0));
        report.MacroF1.Should().BeApproximately((2.0 / 3 + 1.0 + 0) / 3, 1e-15);
        report.WeightedF1.Should().BeApproximately((2 * 2.0 / 3 + 2 * 1.0) / 4, 1e-15);
    }

    [Fact]
    public void Weighted_recall_equals_accuracy()
    {
        Report.WeightedRecall.Should().BeApproximately(Report.Accuracy, 1e-15);
    }

    [Fact]
    public void Mismatched_lengths_are_rejected()
    {
        var act = () => ClassificationReport.Compute(new[] { 0, 1 }, new[] { 0 });

        act.Should().Throw<ArgumentException>().WithMessage("There are 2 labels but 1 predictions*");
    }

    [Fact]
    public void A_prediction_outside_the_class_range_is_rejected_naming_its_position()
    {
        var act = () => ClassificationReport.Compute(new[] { 0, 1, 1 }, new[] { 0, 1, 2 }, classCount: 2);

        act.Should().Throw<ArgumentException>().WithMessage("Prediction at position 2 is 2*[0, 2)*");
    }

    [Fact]
    public void Arg_max_picks_the_highest_score_and_the_lowest_class_on_ties()
    {
        ClassificationMetrics.ArgMax(new double[,] { { 0.1, 0.7, 0.2 }, { 0.4, 0.4, 0.2 } }).Should().Equal(1, 0);
    }

    [Fact]
    public void The_text_report_lists_each_class_and_the_averages()
    {
        var text = Report.Format(new[] { "a", "b", "c" });

        // scikit-learn's classification_report layout; the values are the per-class ones checked above, to 4 decimals.
        var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
        rows.Should().Equal(
            "precision recall f1-score support",
            "a 0.6000 0.7500 0.6667 4",
            "b 0.4000 0.6667 0.5000 3",
            "c 0.0000 0.0000 0.0000 3",
            "accuracy 0.5000 10",
            "macro avg 0.3333 0.4722 0.3889 10",
            "weighted avg 0.3600 0.5000 0.4167 10");
    }

    [Fact]
    public void Macro_and_weighted_precision_and_recall_match_hand_computed_values()
    {
        var report = Report;

        report.MacroPrecision.Should().BeApproximately((3.0 / 5 + 2.0 / 5 + 0) / 3, 1e-15);
        report.MacroRecall.Should().BeApproximately((3.0 / 4 + 2.0 / 3 + 0) / 3, 1e-15);
        report.WeightedPrecision.Should().BeApproximately((4 * 3.0 / 5 + 3 * 2.0 / 5 + 3 * 0) / 10, 1e-15);
        report.WeightedRecall.Should().BeApproximately(0.5, 1e-15);
        report.SampleCount.Should().Be(10);
        report.AveragedClasses.Should().Equal(0, 1, 2);
    }

    [Fact]
    public void A_perfect_prediction_scores_one_everywhere()
    {
        var report = ClassificationReport.Compute(new[] { 0, 1, 1, 2 }, new[] { 0, 1, 1, 2 });

        report.Accuracy.Should().Be(1.0);
        report.Classes.Should().Equal(new ClassMetrics(0, 1, 1, 1, 1), new ClassMetrics(1, 1, 1, 1, 2), new ClassMetrics(2, 1, 1, 1, 1));
        new[] { report.MacroPrecision, report.MacroRecall, report.MacroF1, report.WeightedPrecision, report.WeightedRecall, report.WeightedF1 }
            .Should().AllSatisfy(v => v.Should().Be(1.0));
    }

    [Fact]
    public void A_single_class_count_accepts_all_zero_labels_and_predictions()
    {
        var report = ClassificationReport.Compute(new[] { 0, 0 }, new[] { 0, 0 }, classCount: 1);

        report.Classes.Should().Equal(new ClassMetrics(0, 1, 1, 1, 2));
        report.Accuracy.Should().Be(1.0);
    }

    [Fact]
    public void The_text_report_widens_the_name_column_to_the_longest_class_name()
    {
        var text = ClassificationReport.Compute(new[] { 0, 1 }, new[] { 0, 1 }).Format(new[] { "a", "a_long_class_name" });

        // Name column = max(12, longest name) = 17 characters, then four columns of 10.
        var lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(6).And.AllSatisfy(line => line.Should().HaveLength(17 + 40));
        lines[1].Should().StartWith(new string(' ', 16) + "a    1.0000");
        lines[2].Should().StartWith("a_long_class_name    1.0000");
    }

    [Fact]
    public void The_default_text_report_names_classes_by_number_in_a_column_of_twelve()
    {
        var report = ClassificationReport.Compute(new[] { 0, 1 }, new[] { 0, 1 });

        var lines = report.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        lines.Should().AllSatisfy(line => line.Should().HaveLength(12 + 40));
        lines[1].Should().StartWith(new string(' ', 11) + "0    1.0000");
    }

    [Fact]
    public void A_class_name_list_of_the_wrong_length_is_rejected_naming_both_counts()
    {
        var act = () => Report.Format(new[] { "a", "b" });

        act.Should().Throw<ArgumentException>().WithParameterName("classNames").WithMessage("2 class names were given for 3 classes*");
    }

    [Fact]
    public void A_null_class_name_is_rejected_naming_its_index_instead_of_printing_the_index()
    {
        var act = () => Report.Format(new[] { "a", null!, "c" });

        act.Should().Throw<ArgumentException>().WithParameterName("classNames").WithMessage("Class name 1 is null*");
    }
}
