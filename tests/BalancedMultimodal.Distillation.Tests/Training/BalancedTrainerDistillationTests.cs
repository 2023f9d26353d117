using BalancedMultimodal.Distillation.Training;
using FluentAssertions;
using Xunit;

namespace BalancedMultimodal.Distillation.Tests.Training;

/// <summary>How the distillation plan is applied: phase 1b distils exactly the plan's students and keeps a distilled
/// student only if it validates better than the pretrained one; the joint phase adds the KL and representation terms of
/// the gated pairs (METHOD.md sections 6-7).</summary>
[Collection(GlobalGeneratorCollection.Name)]
public class BalancedTrainerDistillationTests
{
    [Fact]
    public void Phase_1b_distils_each_student_in_plan_order_and_keeps_its_best_validation_score()
    {
        var options = TrainingFixtures.TinyOptions();
        using var result = TrainingFixtures.TinyTrainer(options).Fit(TrainingFixtures.Tiny());

        result.Plan!.Students.Select(s => (s.Name, s.TeacherIndex)).Should().Equal(("faint", 0), ("noise", 0));
        result.History.Where(h => h.Phase == TrainingPhase.Distillation).Select(h => (h.Modality, h.Epoch, h.MaxEpochs))
            .Should().Equal(("faint", 1, 4), ("faint", 2, 4), ("faint", 3, 4), ("faint", 4, 4), ("noise", 1, 4), ("noise", 2, 4), ("noise", 3, 4), ("noise", 4, 4));
        result.DistilledScores[0].Should().Be(result.PretrainingScores[0], "the teacher is not distilled");
        foreach (var (m, name) in new[] { (1, "faint"), (2, "noise") })
        {
            var distilled = result.History.Where(h => h.Phase == TrainingPhase.Distillation && h.Modality == name).Max(h => h.ValidationScore);
            result.DistilledScores[m].Should().Be(Math.Max(result.PretrainingScores[m], distilled), $"{name} keeps the better of its pretrained and distilled states");
        }
        result.DistilledScores.Should().NotEqual(result.PretrainingScores, "here distillation improves a student");
    }

    [Fact]
    public void A_student_that_distillation_does_not_improve_keeps_its_pretrained_state()
    {
        // The validation labels contradict the features, so distilling never helps and phase 1b stops after patience
        // epochs with the pretrained state (epoch 0) still the best. Without the representation term the distillation
        // loss has no learned part, so the joint phase is then the same as after no phase 1b at all.
        var data = TrainingFixtures.Tiny((row, signal) => row is >= 20 and < 32 ? 1 - signal : signal);
        BalancedTrainingOptions Options(int distillationEpochs)
        {
            var options = TrainingFixtures.TinyOptions();
            options.PretrainingEpochs = 3;
            options.DistillationEpochs = distillationEpochs;
            options.Patience = 3;
            options.Distillation.RepresentationWeight = 0;
            return options;
        }

        using var distilled = TrainingFixtures.TinyTrainer(Options(20)).Fit(data);
        using var skipped = TrainingFixtures.TinyTrainer(Options(0)).Fit(data);

        distilled.Plan!.Students.Should().NotBeEmpty();
        foreach (var student in distilled.Plan.Students)
            distilled.History.Where(h => h.Phase == TrainingPhase.Distillation && h.Modality == student.Name).Select(h => h.Epoch)
                .Should().Equal([1, 2, 3], $"{student.Name} stops 3 epochs after epoch 0, its pretrained state");
        skipped.History.Should().NotContain(h => h.Phase == TrainingPhase.Distillation);
        distilled.DistilledScores.Should().Equal(distilled.PretrainingScores);
        skipped.DistilledScores.Should().Equal(skipped.PretrainingScores);
        distilled.FusedProbabilities.data<float>().ToArray().Should().Equal(skipped.FusedProbabilities.data<float>().ToArray());
    }

    [Theory]
    [InlineData(0.0, 0.0, true)]     // no KL and no representation term: the joint loss has no distillation part
    [InlineData(1.0, 0.0, false)]
    [InlineData(0.0, 0.1, false)]
    public void The_joint_phase_adds_the_gated_pairs_kl_and_representation_terms(double kl, double representation, bool sameAsWithoutDistillation)
    {
        var data = TrainingFixtures.Tiny();
        var gated = TrainingFixtures.TinyOptions();
        gated.DistillationEpochs = 0;
        gated.Distillation.KullbackLeiblerWeight = kl;
        gated.Distillation.RepresentationWeight = representation;
        var off = TrainingFixtures.TinyOptions();
        off.EnableDistillation = false;

        using var withPlan = TrainingFixtures.TinyTrainer(gated).Fit(data);
        using var without = TrainingFixtures.TinyTrainer(off).Fit(data);

        withPlan.Plan!.Students.Should().NotBeEmpty();
        var joint = withPlan.History.Where(h => h.Phase == TrainingPhase.Joint).Select(h => h.Loss);
        var plain = without.History.Where(h => h.Phase == TrainingPhase.Joint).Select(h => h.Loss);
        if (sameAsWithoutDistillation)
        {
            joint.Should().Equal(plain);
            withPlan.FusedProbabilities.data<float>().ToArray().Should().Equal(without.FusedProbabilities.data<float>().ToArray());
        }
        else
        {
            joint.First().Should().BeGreaterThan(plain.First(), "the first joint loss adds the distillation terms to the same network's loss");
        }
    }

    [Fact]
    public void The_joint_phase_pulls_each_student_toward_its_detached_teacher_and_never_the_teacher_toward_the_student()
    {
        var data = TrainingFixtures.Tiny();
        // Every modality's parameters after one joint step, with the plan's teacher and students.
        (float[][][] Parameters, int Teacher, int[] Students) Fit(double kl, double representation)
        {
            var options = TrainingFixtures.TinyOptions();
            options.DistillationEpochs = 0;
            options.JointEpochs = 1;
            options.Distillation.KullbackLeiblerWeight = kl;
            options.Distillation.RepresentationWeight = representation;
            using var result = TrainingFixtures.TinyTrainer(options).Fit(data);
            return (Enumerable.Range(0, 3).Select(m => result.Network.ModalityParameters(m).Select(p => p.data<float>().ToArray()).ToArray()).ToArray(),
                result.Plan!.Students.Select(s => s.TeacherIndex!.Value).Distinct().Single(), result.Plan.Students.Select(s => s.Index).ToArray());
        }

        // Without the KL and representation terms the joint loss has no distillation part (the same network otherwise).
        var with = Fit(1.0, 0.5);
        var without = Fit(0, 0);

        with.Teacher.Should().Be(0, "the clear modality teaches every other one here");
        with.Students.Should().NotBeEmpty();
        var teacherWith = with.Parameters[with.Teacher];
        var teacherWithout = without.Parameters[with.Teacher];
        teacherWith.Should().HaveSameCount(teacherWithout);
        for (int i = 0; i < teacherWith.Length; i++)
            teacherWith[i].Should().Equal(teacherWithout[i], $"the teacher is detached: its parameter {i} gets no gradient from the distillation terms");
        foreach (int student in with.Students)
            with.Parameters[student].Zip(without.Parameters[student]).Should().Contain(p => !p.First.SequenceEqual(p.Second), $"student {student} is pulled toward the teacher");
    }
}
